// SPDX-License-Identifier: MIT
// One keep-alive HTTP/1.1 client connection (Boost.Beast) that carries one request at a time.
//
// It connects on its first exchange and stays open while the server keeps it alive, so that
// a run measures the server rather than TCP handshakes. Each exchange has one deadline that
// covers connecting, writing and reading, like Go's http.Client.Timeout in vegeta. All of it
// runs on the io_context's thread; callbacks fire there.
//
// The generator shares the machine's cores with the nodes it measures, so an exchange is
// kept cheap: the request's wire form (io/real/http_wire.h) goes into a buffer the
// connection keeps and out in one send() without waiting when the socket has room; the
// answer is read once the socket is readable and fed to Beast's parser; the deadline timer
// is armed once and re-armed only when it fires before the exchange's deadline (deadlines
// only move later).
#pragma once

#include <utility>  // NB: before Boost.Asio, which GCC 12 in C++20 mode needs.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "apps/bench/go_duration.h"
#include "apps/bench/request_target.h"

namespace raftlink::bench {

using Endpoints = boost::asio::ip::tcp::resolver::results_type;

/// How one request/response exchange ended.
struct ExchangeOutcome {
    /// The HTTP status, or 0 when no complete answer arrived.
    unsigned status_code = 0;
    /// The "409 Conflict" status line, or the transport error; empty for a 2xx/3xx answer.
    std::string error;
    std::string body;
    /// The connection may carry another request.
    bool reusable = false;
    /// It failed on a reused connection before a byte of the answer arrived: the server had
    /// closed the idle connection, so the request may be sent again on a fresh one.
    bool stale_connection = false;
    /// Bytes of the request body written.
    std::size_t bytes_out = 0;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
    using Done = std::function<void(ExchangeOutcome)>;

    /// host_header is sent as Host on every request. endpoints must outlive the connection.
    HttpConnection(boost::asio::io_context& context, const Endpoints& endpoints,
                   std::string host_header);

    /// Sends request and reads the whole answer within timeout; done fires exactly once.
    /// Precondition: no exchange is running on this connection.
    void exchange(const PreparedRequest& request, DurationNs timeout, Done done);

    /// Closes the socket; a running exchange fails.
    void close();

private:
    void connect();
    void on_connect(boost::beast::error_code error);
    void write();
    void read();
    void on_read(boost::beast::error_code error, std::size_t bytes);
    void parse();
    void answered();
    void fail(boost::beast::error_code error, const char* stage, bool before_answer);
    void finish(ExchangeOutcome outcome);
    /// Disarms the deadline timer of an idle connection, so that it keeps no work pending in
    /// the io_context. Nothing if busy.
    void rest();
    void arm_timer();
    void on_timer(boost::beast::error_code error);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    const Endpoints& endpoints_;
    std::string host_header_;
    boost::beast::flat_buffer buffer_;
    /// The request; its fixed fields are set once per connection.
    boost::beast::http::request<boost::beast::http::string_body> request_;
    /// request_'s fields were set for its method by an earlier exchange.
    bool prepared_ = false;
    /// request_ serialized, and how much of it went out.
    std::string out_;
    std::size_t out_written_ = 0;
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    Done done_;
    /// When the running exchange times out.
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool timer_armed_ = false;
    /// The deadline passed and the socket was closed to end the exchange.
    bool timed_out_ = false;
    bool connected_ = false;
    /// This exchange runs on a connection that already carried one.
    bool reused_ = false;
    bool busy_ = false;
    /// Bytes of the answer received so far.
    std::size_t answer_bytes_ = 0;
};

}  // namespace raftlink::bench
