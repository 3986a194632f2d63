// SPDX-License-Identifier: MIT
// One accepted HTTP connection: reads a request, hands it to the routes, writes the answer,
// and repeats while keep-alive holds.
//
// Exactly one request is in progress per connection (pipelined requests wait in the read
// buffer), so answers go out in request order. Every wait has a deadline: the wait for the
// first byte of a request (idle_timeout, header_timeout on a fresh connection), the headers
// (header_timeout from their first byte), the body and the write (body_timeout). While a
// create waits for its commit there is no deadline: the Replica answers within its commit
// timeout. Oversized or slow headers close the connection without an answer; a body over the
// limit gets 413 and malformed HTTP 400, then the connection is closed (after draining what
// the client is still sending, so that it sees the answer instead of a reset).
//
// Cost per request (this is the leader's hot path; see README "Performance"): the session
// waits for readability and then reads without waiting (no speculative read that finds
// nothing), feeds Beast's parser with put(), writes the answer's wire form
// (io/real/http_wire.h) into a buffer it keeps, and first tries to send it without waiting. The deadlines share one timer that is re-armed only when a deadline moves earlier
// than its expiry, so a request that arrives in one read and is answered in one write starts
// no timer operation and runs one completion handler for its read, none for its write.
//
// Lifetime: the session is owned by shared_ptrs in its pending handlers and in the Replica's
// callback, never by the server (which keeps weak_ptrs to close them on stop). After close()
// the session never touches the backend again, so a late Replica callback is harmless.
#pragma once

#include <utility>  // NB: before Boost.Asio, which GCC 12 in C++20 mode needs.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "io/real/http_routes.h"
#include "io/real/http_server.h"

namespace raftlink::real {

class HttpSession;

/// What the server and its sessions share; it lives as long as the last of them.
struct HttpContext {
    HttpBackend backend;
    HttpLimits limits;
    /// "address:port" of the listening socket, for short URLs when a request has no Host.
    std::string host;
    /// Open connections. Invariant: equals the number of sessions not yet closed.
    std::size_t connections = 0;
    std::uint64_t next_session_id = 1;
    /// Open sessions, for stop(). Invariant: exactly the sessions not yet closed.
    std::map<std::uint64_t, std::weak_ptr<HttpSession>> sessions;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    /// Takes a connection slot in `context` (the caller checked connections_max).
    HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<HttpContext> context);
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    /// Registers with the context and starts reading the first request.
    void start();
    /// Closes the socket at once and gives back the connection slot; idempotent. Pending
    /// operations complete with operation_aborted and do nothing.
    void close(const char* reason);

private:
    /// What the session waits for; names the deadline that runs.
    enum class Phase { Idle, Header, Body, Responding, Writing, Draining };

    void read_request(bool first);
    void read_more();
    void on_read(boost::beast::error_code error, std::size_t bytes);
    void parse();
    void on_header_done();
    void on_parse_error(boost::beast::error_code error);
    void on_request();
    void send(HttpResponse response, bool close_after);
    void write_pending();
    void on_write_done();
    void shutdown_and_drain();
    void drain();

    /// Phase `phase` must end within `timeout` from now (or never, for Responding).
    void set_deadline(Phase phase, std::chrono::steady_clock::duration timeout);
    void clear_deadline(Phase phase);
    void arm_timer();
    void on_timer(std::uint64_t generation, boost::beast::error_code error);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<HttpContext> context_;
    std::uint64_t id_ = 0;
    std::string peer_;
    bool closed_ = false;
    /// True from handing a request to the routes until its response is sent: guards against
    /// a second response for one request.
    bool responding_ = false;
    Phase phase_ = Phase::Header;
    /// When the current phase times out; time_point::max() when it cannot.
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    /// Whether a wait on timer_ is pending, and which arming it belongs to: a handler of an
    /// older arming does nothing.
    bool timer_armed_ = false;
    std::uint64_t timer_generation_ = 0;
    /// The Header phase began on buffered bytes and its deadline is not set yet.
    bool header_deadline_due_ = false;
    /// "100 Continue" was sent for the request being read.
    bool continue_sent_ = false;
    // The request being answered.
    Route route_ = Route::BadTarget;
    bool head_ = false;
    bool keep_alive_ = false;
    bool close_after_write_ = false;
    unsigned version_ = 11;
    std::chrono::steady_clock::time_point request_started_;
    /// The serialized answer being written and how much of it went out; reused across
    /// requests so that its capacity is allocated once per connection.
    std::string out_;
    std::size_t out_written_ = 0;
    std::size_t drained_bytes_ = 0;
};

}  // namespace raftlink::real
