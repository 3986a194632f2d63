// SPDX-License-Identifier: MIT
// AsioTransport: core's Transport over TCP between the members of a cluster.
//
// One outbound connection per peer carries this node's messages to it; inbound connections
// from peers are accepted on the Raft address. Each message is one frame: u32 length, u32
// CRC32C of the payload, payload (core/raft/message_codec.h), at most frame_bytes_max bytes.
// A connection is usable only after a handshake in which the dialer proves it knows the
// cluster secret: the acceptor sends a random challenge, the dialer answers with its node id
// and HMAC-SHA256(secret, challenge || node id) (OpenSSL). A malformed, oversized or
// unauthenticated frame closes that connection and is logged; it never crashes the node.
// Sends never block: each peer has a bounded queue (dropping on overflow is safe under Raft),
// and a broken connection is redialled with jittered exponential backoff.
//
// Each direction has its own connection (this node's messages go out on the connection it
// dialled; the peer's arrive on one it accepted), so no side ever has to decide which of two
// crossing connections to keep, and a connection carries frames one way only. Frame and
// handshake formats: io/real/frame.h and io/real/handshake.h. Everything runs on the one
// io_context thread that also runs the replica; nothing here locks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/result.h"

namespace raftlink::real {

/// The largest frame payload sent or accepted; a bigger length prefix closes the connection.
constexpr std::size_t frame_bytes_max = 8 << 20;
/// Frames waiting for one peer; on overflow the oldest is dropped (Raft resends what matters).
constexpr std::size_t peer_queue_messages_max = 4096;
/// The same queue's bound in bytes, so that a peer that is down cannot pin gigabytes.
constexpr std::size_t peer_queue_bytes_max = 64 << 20;
/// Frames gathered into one write.
constexpr std::size_t write_batch_messages_max = 64;
/// Accepted connections open at once (authenticated or not); more are closed at once.
constexpr std::size_t inbound_connections_max = 64;

struct TransportConfig {
    NodeId self;
    boost::asio::ip::tcp::endpoint listen;
    /// Every other member's Raft address.
    std::map<NodeId, boost::asio::ip::tcp::endpoint> peers;
    /// The shared cluster secret (from --cluster-secret-file); must not be empty.
    std::string secret;
    /// How long a connection may take from accept (or dial) to the end of the handshake.
    std::chrono::milliseconds handshake_timeout{5000};
    /// Redial backoff: starts at the minimum, doubles per failure up to the maximum, and each
    /// delay is jittered by +-50% so that a restarted cluster does not redial in lockstep.
    std::chrono::milliseconds reconnect_delay_min{50};
    std::chrono::milliseconds reconnect_delay_max{2000};
};

/// Counters since start(), for metrics and tests.
struct TransportStats {
    std::uint64_t messages_sent = 0;        // frames fully written to a socket
    std::uint64_t messages_received = 0;    // delivered to the replica
    std::uint64_t messages_dropped = 0;     // queue overflow, lost with a broken connection
    std::uint64_t messages_unroutable = 0;  // to self, to an unknown peer, too big, or stopped
    std::uint64_t connections_refused = 0;  // failed handshakes on accepted connections
    std::uint64_t connections_closed = 0;   // accepted connections closed for a bad frame
};

class AsioTransport final : public Transport {
public:
    /// `deliver` is called on the io_context thread for every authenticated, decoded message.
    AsioTransport(boost::asio::io_context& io, TransportConfig config,
                  std::function<void(const raft::Message&)> deliver);
    ~AsioTransport() override;

    /// Binds the Raft address and starts dialling peers; an Error if it cannot bind or the
    /// configuration is unusable (empty secret). Call at most once.
    Result<bool> start();
    /// Closes every connection and the listener and cancels every timer; no `deliver` call
    /// happens after it. Idempotent. Outstanding handlers keep what they use alive, so the
    /// transport may be destroyed right after, before the io_context has run them.
    void stop();
    /// Queues `message` for message.to and returns at once. Messages to this node, to an
    /// unknown node, or sent before start() or after stop() are dropped and counted.
    void send(const raft::Message& message) override;
    /// The bound Raft port (useful with port 0); 0 before start().
    unsigned short port() const;
    TransportStats stats() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace raftlink::real
