// SPDX-License-Identifier: MIT
// PeerInbound: one accepted connection, over which a peer sends its messages to this node.
//
// It first runs the acceptor's side of the handshake (io/real/handshake.h) under a deadline,
// then reads frames (io/real/frame.h) and delivers each decoded message. It reads whatever
// the socket holds into one buffer and takes every whole frame in it (a leader's write often
// carries several), waiting for readability first rather than trying a read that finds
// nothing: per message, at most one recv() and no completion handler of its own. Input
// is never trusted: a failed handshake, an oversized or corrupt frame, an undecodable
// message, or a message whose `from` is not the authenticated peer or whose `to` is not this
// node is logged with the peer's address and closes the connection; nothing here asserts on
// what the peer sent. Handlers hold a shared_ptr to this object, so it lives exactly as long
// as an operation is pending; the transport keeps only weak pointers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/raft/messages.h"
#include "core/types.h"
#include "io/real/asio_transport.h"
#include "io/real/frame.h"
#include "io/real/handshake.h"

namespace raftlink::real {

/// What every accepted connection checks against; shared, immutable.
struct InboundSettings {
    NodeId self;
    std::set<NodeId> peers;
    std::string secret;
    std::chrono::milliseconds handshake_timeout{5000};
    std::size_t frame_bytes_max = real::frame_bytes_max;
};

class PeerInbound : public std::enable_shared_from_this<PeerInbound> {
public:
    using Deliver = std::function<void(const raft::Message&)>;
    /// Called once the handshake succeeds, before any frame is read.
    using Authenticated = std::function<void(NodeId, const std::shared_ptr<PeerInbound>&)>;

    PeerInbound(boost::asio::ip::tcp::socket socket,
                std::shared_ptr<const InboundSettings> settings,
                std::shared_ptr<TransportStats> stats, Deliver deliver,
                Authenticated on_authenticated);

    /// Sends the challenge and starts the handshake deadline. Call once, after make_shared.
    void start();
    /// Closes the socket and cancels the deadline without logging; no delivery after it.
    void close();
    bool closed() const { return closed_; }
    /// The authenticated peer, or no_node before the handshake succeeds.
    NodeId peer() const { return peer_; }
    const std::string& address() const { return address_; }

private:
    void on_challenge_sent(const boost::system::error_code& error);
    void on_hello(const boost::system::error_code& error);
    /// Waits until the socket is readable, then reads what it holds and takes the frames.
    void read_frames();
    void on_readable(const boost::system::error_code& error);
    /// Delivers every whole frame in in_; false if the connection was closed meanwhile.
    bool take_frames();
    /// Refuses a connection whose handshake failed: "refused peer connection from ADDR: ...".
    void refuse(const std::string& reason);
    /// Closes an authenticated connection over a bad frame or message.
    void reject(const std::string& reason);
    /// The connection ended without fault on our side (peer closed it, or a socket error).
    void lost(const boost::system::error_code& error);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer deadline_;
    std::shared_ptr<const InboundSettings> settings_;
    std::shared_ptr<TransportStats> stats_;
    Deliver deliver_;
    Authenticated on_authenticated_;
    std::string address_;
    /// Invariant: peer_ != no_node exactly when the handshake has succeeded.
    NodeId peer_ = no_node;
    bool closed_ = false;

    Challenge challenge_{};
    HelloBytes hello_{};
    WelcomeBytes welcome_{};
    /// Bytes read and not yet taken are in_[in_begin_, in_end_); the rest is room to read into.
    Bytes in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
};

}  // namespace raftlink::real
