// SPDX-License-Identifier: MIT
// PeerConnection: this node's outbound connection to one peer, carrying its messages there.
//
// States: Waiting (a redial timer runs) -> Dialing (connect, then the handshake of
// io/real/handshake.h) -> Connected (frames flow) -> on any failure back to Waiting, with a
// jittered exponential backoff. Frames wait in a bounded queue whatever the state; on
// overflow the oldest is dropped, which Raft tolerates (it resends from its own state). At
// most one async_write is in flight, gathering up to write_batch_messages_max frames.
// Once connected the acceptor never sends a byte, so a pending one-byte read notices at once
// when the peer closes the connection. Every handler holds a shared_ptr to this object and
// carries the attempt number it was started in; a handler from an older attempt is ignored.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "io/real/asio_transport.h"
#include "io/real/handshake.h"

namespace raftlink::real {

struct PeerSettings {
    NodeId self;
    NodeId peer;
    boost::asio::ip::tcp::endpoint address;
    std::string secret;
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds reconnect_delay_min{50};
    std::chrono::milliseconds reconnect_delay_max{2000};
};

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
public:
    PeerConnection(boost::asio::io_context& io, PeerSettings settings,
                   std::shared_ptr<TransportStats> stats);

    /// Dials at once. Call once, after construction through make_shared.
    void start();
    /// Closes the connection, cancels the timers and drops the queue. Idempotent.
    void stop();
    /// The peer just proved it is up (it dialled us and passed the handshake): if this side
    /// is waiting out a backoff, dial now rather than after up to reconnect_delay_max, and
    /// start the backoff over. A restarted follower then hears from its leader at once.
    void redial_now();
    /// Queues one encoded frame (io/real/frame.h); never blocks.
    void enqueue(Bytes frame);
    bool connected() const { return state_ == State::Connected; }

private:
    enum class State { Waiting, Dialing, Connected, Stopped };

    void dial();
    void on_connect(std::uint64_t attempt, const boost::system::error_code& error);
    void on_challenge(std::uint64_t attempt, const boost::system::error_code& error);
    void on_hello_sent(std::uint64_t attempt, const boost::system::error_code& error);
    void on_welcome(std::uint64_t attempt, const boost::system::error_code& error);
    void watch_for_close();
    void write_next();
    void write_done(std::uint64_t attempt, const boost::system::error_code& error);
    /// Ends the current attempt (dial, handshake or connection) and schedules a redial.
    void fail(const std::string& reason);
    std::chrono::milliseconds next_delay();
    bool current(std::uint64_t attempt) const;

    PeerSettings settings_;
    std::shared_ptr<TransportStats> stats_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer deadline_;  // dial plus handshake
    boost::asio::steady_timer redial_;
    State state_ = State::Waiting;
    /// Bumped whenever an attempt ends; handlers of older attempts do nothing.
    std::uint64_t attempt_ = 0;

    /// Invariant: queue_bytes_ is the sum of the sizes in queue_, and queue_ holds at most
    /// peer_queue_messages_max frames and peer_queue_bytes_max bytes (unless one frame alone
    /// is bigger, which frame_bytes_max rules out).
    std::deque<Bytes> queue_;
    std::size_t queue_bytes_ = 0;
    /// The frames of the one write in flight; empty when none is.
    std::vector<Bytes> writing_;
    std::vector<boost::asio::const_buffer> write_buffers_;

    Challenge challenge_{};
    HelloBytes hello_{};
    WelcomeBytes welcome_{};
    std::array<std::uint8_t, 1> probe_{};

    std::chrono::milliseconds backoff_;
    /// Whether the current run of failures has been logged at info; the rest go to debug.
    bool failure_logged_ = false;
    std::mt19937_64 random_;
};

}  // namespace raftlink::real
