// SPDX-License-Identifier: MIT
#include "io/real/http_session.h"

#include <utility>  // NB: before Boost.Asio, which GCC 12 in C++20 mode needs.

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <spdlog/spdlog.h>

#include "core/assert.h"
#include "io/real/http_wire.h"
#include "io/real/read_when_readable.h"

namespace raftlink::real {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

/// Bytes asked of the socket per read.
constexpr std::size_t read_chunk_bytes = 4096;
/// After an error answer, at most this much of what the client still sends is read and
/// discarded (so that it sees the answer rather than a reset), within drain_timeout.
constexpr std::size_t drain_bytes_max = 1 << 20;
constexpr std::chrono::milliseconds drain_timeout{1000};

constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

std::string describe(const asio::ip::tcp::socket& socket) {
    beast::error_code error;
    const auto remote = socket.remote_endpoint(error);
    if (error) return "?";
    return remote.address().to_string() + ":" + std::to_string(remote.port());
}

bool expects_continue(const HttpRequest& request) {
    return beast::iequals(request[http::field::expect], "100-continue");
}

using Clock = std::chrono::steady_clock;

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpContext> context)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), context_(std::move(context)) {
    ASSERT(context_ != nullptr);
    peer_ = describe(socket_);
    id_ = context_->next_session_id++;
    context_->connections += 1;
    // Writes are tried at once and only wait when the socket's buffer is full.
    beast::error_code ignored;
    socket_.non_blocking(true, ignored);
}

HttpSession::~HttpSession() {
    // Every path that ends a session calls close(); this only guards the slot count if a
    // session is dropped without it (e.g. its io_context is destroyed with handlers pending).
    if (!closed_) {
        closed_ = true;
        context_->connections -= 1;
        context_->sessions.erase(id_);
    }
}

void HttpSession::start() {
    context_->sessions.emplace(id_, weak_from_this());
    spdlog::debug("http: connection {} from {}", id_, peer_);
    read_request(true);
}

void HttpSession::close(const char* reason) {
    if (closed_) return;
    closed_ = true;
    spdlog::debug("http: connection {} from {} closed: {}", id_, peer_, reason);
    beast::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    ASSERT(context_->connections > 0);
    context_->connections -= 1;
    context_->sessions.erase(id_);
}

void HttpSession::set_deadline(Phase phase, Clock::duration timeout) {
    phase_ = phase;
    deadline_ = Clock::now() + timeout;
    // A later deadline needs no timer operation: the pending wait fires early and re-arms.
    if (!timer_armed_ || deadline_ < timer_.expiry()) arm_timer();
}

void HttpSession::clear_deadline(Phase phase) {
    phase_ = phase;
    deadline_ = Clock::time_point::max();
}

void HttpSession::arm_timer() {
    timer_armed_ = true;
    const std::uint64_t generation = ++timer_generation_;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this(), generation](beast::error_code error) {
        self->on_timer(generation, error);
    });
}

void HttpSession::on_timer(std::uint64_t generation, beast::error_code error) {
    if (closed_ || generation != timer_generation_) return;
    timer_armed_ = false;
    if (error && error != asio::error::operation_aborted) return;
    if (deadline_ == Clock::time_point::max()) return;
    if (Clock::now() < deadline_) return arm_timer();
    switch (phase_) {
        case Phase::Idle: return close("idle timeout");
        case Phase::Header: return close("header timeout");
        case Phase::Body: return close("body timeout");
        case Phase::Writing: return close("write timeout");
        case Phase::Draining: return close("answered and closed");
        case Phase::Responding: return;
    }
}

void HttpSession::read_request(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_->limits.header_bytes_max));
    parser_->body_limit(context_->limits.body_bytes_max);
    // Parse the body in the same put() as the header when both are buffered.
    parser_->eager(true);
    continue_sent_ = false;
    header_deadline_due_ = false;
    // A fresh connection must deliver its headers within header_timeout; a keep-alive one
    // may idle longer before its next request starts.
    if (first) {
        set_deadline(Phase::Header, context_->limits.header_timeout);
        read_more();
    } else if (buffer_.size() == 0) {
        set_deadline(Phase::Idle, context_->limits.idle_timeout);
        read_more();
    } else {
        // A pipelined request: parse it from a fresh handler, so that a long pipeline of
        // requests answered at once does not nest one call per request.
        phase_ = Phase::Header;
        header_deadline_due_ = true;
        asio::post(socket_.get_executor(), [self = shared_from_this()]() {
            if (!self->closed_) self->parse();
        });
    }
}

void HttpSession::read_more() {
    // on_read ignores what arrives after close().
    read_when_readable(socket_, buffer_, read_chunk_bytes,
                       [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                           self->on_read(error, bytes);
                       });
}

void HttpSession::on_read(beast::error_code error, std::size_t bytes) {
    if (closed_) return;
    buffer_.commit(bytes);
    if (error == asio::error::operation_aborted) return;
    if (error == asio::error::eof || error == asio::error::connection_reset) {
        return close("closed by the client");
    }
    if (error) return close("read failed");
    if (phase_ == Phase::Idle) {
        // The first bytes of a request: its headers now have header_timeout, which starts
        // only if they are not complete in what arrived (nearly always they are).
        phase_ = Phase::Header;
        header_deadline_due_ = true;
    }
    parse();
}

void HttpSession::parse() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
        beast::error_code error;
        const bool header_was_done = parser_->is_header_done();
        const std::size_t used = parser_->put(buffer_.data(), error);
        buffer_.consume(used);
        if (!header_was_done && parser_->is_header_done()) on_header_done();
        if (error == http::error::need_more) break;
        if (error) return on_parse_error(error);
        if (used == 0) break;  // nothing more to take from what is buffered
    }
    if (parser_->is_done()) return on_request();
    if (phase_ == Phase::Body && !continue_sent_ && expects_continue(parser_->get())) {
        // curl and others wait (about a second) for this before sending a large body.
        continue_sent_ = true;
        asio::async_write(socket_, asio::buffer(continue_line.data(), continue_line.size()),
                          [self = shared_from_this()](beast::error_code write_error,
                                                      std::size_t) {
                              if (self->closed_) return;
                              if (write_error) return self->close("write failed");
                              self->read_more();
                          });
        return;
    }
    if (phase_ == Phase::Header && header_deadline_due_) {
        header_deadline_due_ = false;
        set_deadline(Phase::Header, context_->limits.header_timeout);
    }
    read_more();
}

void HttpSession::on_header_done() {
    request_started_ = Clock::now();
    header_deadline_due_ = false;
    if (!parser_->is_done()) set_deadline(Phase::Body, context_->limits.body_timeout);
}

void HttpSession::on_parse_error(beast::error_code error) {
    if (error == http::error::header_limit) return close("headers over the limit");
    // The header may be known (body_limit), which names the route.
    if (!parser_->is_header_done()) request_started_ = Clock::now();
    const auto& header = parser_->get();
    route_ = classify_route(header.method(), to_std(header.target()));
    head_ = false;
    keep_alive_ = false;
    version_ = 11;
    responding_ = true;
    if (error == http::error::body_limit) {
        spdlog::debug("http: connection {} from {}: body over {} bytes", id_, peer_,
                      context_->limits.body_bytes_max);
        return send(error_response(http::status::payload_too_large,
                                   "the body is larger than " +
                                       std::to_string(context_->limits.body_bytes_max) + " bytes"),
                    true);
    }
    spdlog::debug("http: connection {} from {}: malformed request: {}", id_, peer_,
                  error.message());
    send(error_response(http::status::bad_request, "malformed HTTP request: " + error.message()),
         true);
}

void HttpSession::on_request() {
    clear_deadline(Phase::Responding);
    HttpRequest request = parser_->release();
    head_ = request.method() == http::verb::head;
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    route_ = classify_route(request.method(), to_std(request.target()));
    if (route_ == Route::NotAllowed || route_ == Route::BadTarget) {
        spdlog::debug("http: connection {} from {}: {} {} refused", id_, peer_,
                      to_std(request.method_string()), to_std(request.target()));
    }
    responding_ = true;
    // The route may answer now or after a commit; the callback keeps this session alive.
    handle_route(route_, std::move(request), context_->backend, context_->host,
                 [self = shared_from_this()](HttpResponse response) {
                     self->send(std::move(response), false);
                 });
}

void HttpSession::send(HttpResponse response, bool close_after) {
    if (!responding_) return;  // a second answer to one request: ignore it
    responding_ = false;
    if (closed_) return;  // the connection went away (or the server stopped) meanwhile
    const double seconds =
        std::chrono::duration<double>(Clock::now() - request_started_).count();
    context_->backend.metrics.observe_request(route_metric_name(route_), response.result_int(),
                                              seconds);
    response.version(version_);
    response.keep_alive(keep_alive_ && !close_after);
    close_after_write_ = !response.keep_alive();
    response.prepare_payload();
    if (head_) {
        // HEAD: the headers GET would send, Content-Length included, and no body.
        const std::string length = std::to_string(response.body().size());
        response.body().clear();
        response.set(http::field::content_length, length);
    }
    out_.clear();
    out_written_ = 0;
    append_wire(response, out_);
    write_pending();
}

void HttpSession::write_pending() {
    // Try at once: the socket's send buffer nearly always has room for an answer, which then
    // costs one send() and no completion handler.
    beast::error_code error;
    out_written_ += socket_.write_some(
        asio::buffer(out_.data() + out_written_, out_.size() - out_written_), error);
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
        return close("write failed");
    }
    if (out_written_ == out_.size()) return on_write_done();
    set_deadline(Phase::Writing, context_->limits.body_timeout);
    asio::async_write(socket_,
                      asio::buffer(out_.data() + out_written_, out_.size() - out_written_),
                      [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                          if (self->closed_) return;
                          if (write_error) return self->close("write failed");
                          self->out_written_ = self->out_.size();
                          self->on_write_done();
                      });
}

void HttpSession::on_write_done() {
    if (close_after_write_) return shutdown_and_drain();
    read_request(false);
}

void HttpSession::shutdown_and_drain() {
    beast::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    drained_bytes_ = 0;
    set_deadline(Phase::Draining, drain_timeout);
    drain();
}

void HttpSession::drain() {
    socket_.async_read_some(
        buffer_.prepare(read_chunk_bytes),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
            if (self->closed_) return;
            self->buffer_.consume(self->buffer_.size());
            self->drained_bytes_ += bytes;
            if (error) return self->close("answered and closed");
            if (self->drained_bytes_ > drain_bytes_max) return self->close("drain limit");
            self->drain();
        });
}

}  // namespace raftlink::real
