// SPDX-License-Identifier: MIT
// Small helpers shared by both ends of a peer connection: socket options and log naming.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <string>

namespace raftlink::real {

/// Data sent to a peer that stays unacknowledged this long breaks the connection (Linux
/// TCP_USER_TIMEOUT). Without it a peer whose host died silently keeps the connection
/// "open" for the kernel's retransmission limit (about 15 minutes) while frames pile up.
constexpr std::chrono::milliseconds peer_unacknowledged_max{10'000};

/// No Nagle delay (Raft's messages are small and latency-bound), keepalives, and the
/// unacknowledged-data bound. Failures are ignored: every option is an optimization.
inline void tune_peer_socket(boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    socket.set_option(boost::asio::socket_base::keep_alive(true), ignored);
#ifdef TCP_USER_TIMEOUT
    const unsigned int timeout_ms = static_cast<unsigned int>(peer_unacknowledged_max.count());
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms,
                 static_cast<socklen_t>(sizeof timeout_ms));
#endif
}

/// How logs name an address: "127.0.0.1:7001", "[::1]:7001".
inline std::string describe_address(const boost::asio::ip::tcp::endpoint& endpoint) {
    const std::string host = endpoint.address().to_string();
    const std::string port = std::to_string(endpoint.port());
    return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

}  // namespace raftlink::real
