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
//   GET /             200 {"service":"raftlink","routes":[...]}: a tiny index
//   HEAD              as GET, without the body
//   other methods     405 + Allow ("GET, HEAD, POST" on /, "GET, HEAD" elsewhere)
// Every error body is JSON {"message": ...}. Limits (HttpLimits): body size, header size,
// header read time, body/write time, idle keep-alive time, connection count; a connection
// that breaks a header limit is closed without an answer. Routing and the session's life
// cycle: io/real/http_routes.h and io/real/http_session.h.
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
#include "core/result.h"
#include "io/real/create_batcher.h"
#include "io/real/metrics.h"

namespace raftlink::real {

/// Bounds on what one client can make the server hold or wait for.
struct HttpLimits {
    /// A larger body (by Content-Length or as it arrives, chunked) gets 413 and a close.
    std::size_t body_bytes_max = 64 * 1024;
    /// Request line plus headers; more closes the connection without an answer.
    std::size_t header_bytes_max = 16 * 1024;
    /// From accept (or a keep-alive request's first byte) to the end of the headers.
    std::chrono::milliseconds header_timeout{10'000};
    /// A keep-alive connection may wait this long for its next request.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Reading a body, and writing a response, each get this long.
    std::chrono::milliseconds body_timeout{10'000};
    /// Open connections; one more is accepted, answered 503 (best effort) and closed.
    std::size_t connections_max = 1024;
};

/// What the HTTP layer needs from the rest of the node.
struct HttpBackend {
    Replica& replica;
    Metrics& metrics;
    /// The base URL of each member's HTTP server, e.g. {2: "http://127.0.0.1:8002"}, for the
    /// 409's leaderUrl.
    std::map<NodeId, std::string> http_urls;
    /// When set, creates go through it (one proposal per event-loop turn) instead of straight
    /// to the replica. Must outlive the server.
    CreateBatcher* creates = nullptr;
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
