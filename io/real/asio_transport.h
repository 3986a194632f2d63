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
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/result.h"

namespace raftlink::real {

constexpr std::size_t frame_bytes_max = 8 << 20;
constexpr std::size_t peer_queue_messages_max = 4096;

struct TransportConfig {
    NodeId self;
    boost::asio::ip::tcp::endpoint listen;
    /// Every other member's Raft address.
    std::map<NodeId, boost::asio::ip::tcp::endpoint> peers;
    /// The shared cluster secret (from --cluster-secret-file); must not be empty.
    std::string secret;
};

class AsioTransport final : public Transport {
public:
    /// `deliver` is called on the io_context thread for every authenticated, decoded message.
    AsioTransport(boost::asio::io_context& io, TransportConfig config,
                  std::function<void(const raft::Message&)> deliver);
    ~AsioTransport() override;

    /// Binds the Raft address and starts dialling peers; an Error if it cannot bind.
    Result<bool> start();
    void stop();
    void send(const raft::Message& message) override;
    unsigned short port() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace raftlink::real
