// SPDX-License-Identifier: MIT
#include "io/real/http_session.h"

#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <utility>

#include "core/assert.h"

namespace raftlink::real {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

/// Bytes asked of the socket per read while waiting for a request's first byte or draining.
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

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<HttpContext> context)
    : stream_(std::move(socket)), context_(std::move(context)) {
    ASSERT(context_ != nullptr);
    peer_ = describe(stream_.socket());
    id_ = context_->next_session_id++;
    context_->connections += 1;
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
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    ASSERT(context_->connections > 0);
    context_->connections -= 1;
    context_->sessions.erase(id_);
}

void HttpSession::read_request(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_->limits.header_bytes_max));
    parser_->body_limit(context_->limits.body_bytes_max);
    // A fresh connection must deliver its headers within header_timeout; a keep-alive one
    // may idle longer before its next request starts.
    if (!first && buffer_.size() == 0) {
        wait_for_request();
    } else {
        read_header();
    }
}

void HttpSession::wait_for_request() {
    stream_.expires_after(context_->limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(read_chunk_bytes),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
            if (self->closed_) return;
            self->buffer_.commit(bytes);
            if (error == beast::error::timeout) return self->close("idle timeout");
            if (error) return self->close("closed by the client");
            self->read_header();
        });
}

void HttpSession::read_header() {
    stream_.expires_after(context_->limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                                self->on_header(error);
                            });
}

void HttpSession::on_header(beast::error_code error) {
    if (closed_) return;
    request_started_ = std::chrono::steady_clock::now();
    if (error) return on_read_error(error);
    if (!parser_->is_done() && expects_continue(parser_->get())) {
        // curl and others wait (about a second) for this before sending a large body.
        stream_.expires_after(context_->limits.body_timeout);
        asio::async_write(stream_, asio::buffer(continue_line.data(), continue_line.size()),
                          [self = shared_from_this()](beast::error_code write_error,
                                                      std::size_t) {
                              if (self->closed_) return;
                              if (write_error) return self->close("write failed");
                              self->read_body();
                          });
        return;
    }
    read_body();
}

void HttpSession::read_body() {
    if (parser_->is_done()) return on_request();
    stream_.expires_after(context_->limits.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                         if (self->closed_) return;
                         if (error) return self->on_read_error(error);
                         self->on_request();
                     });
}

void HttpSession::on_read_error(beast::error_code error) {
    if (error == asio::error::operation_aborted) return;
    if (error == http::error::end_of_stream || error == asio::error::eof ||
        error == asio::error::connection_reset || error == http::error::partial_message) {
        return close("closed by the client");
    }
    if (error == beast::error::timeout) {
        return close(parser_->is_header_done() ? "body timeout" : "header timeout");
    }
    if (error == http::error::header_limit) return close("headers over the limit");
    if (error.category() != http::make_error_code(http::error::bad_method).category()) {
        return close("read failed");
    }
    // A parse error: the header may be known (body_limit), which names the route.
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
    stream_.expires_never();
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
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                         request_started_).count();
    context_->backend.metrics.observe_request(route_metric_name(route_), response.result_int(),
                                              seconds);
    response.version(version_);
    response.keep_alive(keep_alive_ && !close_after);
    response.prepare_payload();
    if (head_) {
        // HEAD: the headers GET would send, Content-Length included, and no body.
        const std::string length = std::to_string(response.body().size());
        response.body().clear();
        response.set(http::field::content_length, length);
    }
    response_ = std::move(response);
    stream_.expires_after(context_->limits.body_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                          self->on_write(error);
                      });
}

void HttpSession::on_write(beast::error_code error) {
    if (closed_) return;
    if (error) return close("write failed");
    if (!response_.keep_alive()) return shutdown_and_drain();
    read_request(false);
}

void HttpSession::shutdown_and_drain() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    drained_bytes_ = 0;
    stream_.expires_after(drain_timeout);
    drain();
}

void HttpSession::drain() {
    stream_.async_read_some(
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
