// SPDX-License-Identifier: MIT
// The node's HTTP API (DESIGN.md's table) on Boost.Beast, served on the node's one io_context
// thread, so that handlers call the Replica directly.
//
//   POST /            body = the long URL as text, or {"url": "...", "idempotencyKey": "..."}
//                     with Content-Type: application/json (also header Idempotency-Key)
//                     201 {"url":"http://HOST/ID","redirectsTo":"LONG"} + Location
//                     409 {"message":"Not a leader node","leaderId":N,"leaderUrl":"http://..."}
//                     503 {"message":...} + Retry-After: 1 when no leader is known
//                     408 {"message":...} when the commit does not come in time
//                     400 bad URL / malformed JSON, 413 body too large
//   GET /ID           302 Location (?consistency=linearizable optional; 409/503/408 as above)
//                     404 {"message":"Not found"}
//   GET /healthz      200 {"status":"ok"}
//   GET /status       200 JSON: id, role, term, leader, commit/applied/last index, peers
//   GET /metrics      200 Prometheus text
//   other methods     405 + Allow
// Every error body is JSON {"message": ...}. Limits: body, header size, header read time,
// idle keep-alive time, connection count; a connection that breaks a header limit is closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/replica.h"
#include "io/real/metrics.h"

namespace raftlink::real {

struct HttpLimits {
    std::size_t body_bytes_max = 64 * 1024;
    std::size_t header_bytes_max = 16 * 1024;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::size_t connections_max = 1024;
};

/// What the HTTP layer needs from the rest of the node.
struct HttpBackend {
    Replica& replica;
    Metrics& metrics;
    /// The base URL of each member's HTTP server, e.g. {2: "http://127.0.0.1:8002"}, for the
    /// 409's leaderUrl.
    std::map<NodeId, std::string> http_urls;
};

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint listen,
               HttpBackend backend, HttpLimits limits = {});
    ~HttpServer();
    /// Binds and starts accepting; an Error if the address cannot be bound.
    Result<bool> start();
    /// Stops accepting and closes every connection.
    void stop();
    /// The bound port (useful with port 0 in tests).
    unsigned short port() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace raftlink::real
