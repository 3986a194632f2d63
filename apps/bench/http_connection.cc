// SPDX-License-Identifier: MIT
#include "apps/bench/http_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "core/assert.h"
#include "io/real/http_wire.h"
#include "io/real/read_when_readable.h"

namespace raftlink::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

using Clock = std::chrono::steady_clock;

/// Answers larger than this are refused; the node's largest answer is a few kilobytes.
constexpr std::uint64_t response_body_bytes_max = 16u << 20;
/// Bytes asked of the socket per read.
constexpr std::size_t read_chunk_bytes = 4096;

bool closed_by_peer(beast::error_code error) {
    return error == http::error::end_of_stream || error == asio::error::eof ||
           error == asio::error::connection_reset || error == asio::error::broken_pipe;
}

}  // namespace

HttpConnection::HttpConnection(asio::io_context& context, const Endpoints& endpoints,
                               std::string host_header)
    : socket_(context), timer_(context), endpoints_(endpoints),
      host_header_(std::move(host_header)) {
    request_.version(11);
    request_.set(http::field::host, host_header_);
    request_.set(http::field::user_agent, "raftlink-bench");
    request_.keep_alive(true);
}

void HttpConnection::exchange(const PreparedRequest& request, DurationNs timeout, Done done) {
    ASSERT(!busy_);
    ASSERT(done);
    busy_ = true;
    done_ = std::move(done);
    answer_bytes_ = 0;
    timed_out_ = false;
    const bool post = request.method == HttpMethod::Post;
    request_.target(request.path);
    // The fields stay from one exchange to the next: Host and User-Agent never change,
    // Content-Type only with the method; prepare_payload() sets Content-Length.
    if (post != (request_.method() == http::verb::post) || !prepared_) {
        if (post) {
            request_.set(http::field::content_type, "text/plain");
        } else {
            request_.erase(http::field::content_type);
        }
    }
    prepared_ = true;
    request_.method(post ? http::verb::post : http::verb::get);
    request_.body() = post ? request.body : std::string();
    request_.prepare_payload();
    out_.clear();
    real::append_wire(request_, out_);
    out_written_ = 0;
    parser_.emplace();
    parser_->body_limit(response_body_bytes_max);
    parser_->eager(true);
    // One deadline for the whole exchange. Deadlines only move later, so the pending wait (if
    // any) fires early and re-arms: no timer operation per exchange.
    deadline_ = Clock::now() + std::chrono::nanoseconds(timeout);
    if (!timer_armed_) arm_timer();
    reused_ = connected_;
    if (connected_) {
        write();
    } else {
        connect();
    }
}

void HttpConnection::close() {
    beast::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    connected_ = false;
    rest();
}

void HttpConnection::rest() {
    if (busy_ || !timer_armed_) return;
    timer_armed_ = false;
    timer_.cancel();
}

void HttpConnection::arm_timer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
        self->on_timer(error);
    });
}

void HttpConnection::on_timer(beast::error_code error) {
    if (error == asio::error::operation_aborted) return;  // rest() or close(): disarmed
    if (!busy_) {
        timer_armed_ = false;
        return;
    }
    if (Clock::now() < deadline_) return arm_timer();
    // The exchange ran out of time: closing the socket ends its pending operation, whose
    // handler reports the timeout.
    timed_out_ = true;
    timer_armed_ = false;
    beast::error_code ignored;
    socket_.close(ignored);
}

void HttpConnection::connect() {
    asio::async_connect(socket_, endpoints_,
                        [self = shared_from_this()](beast::error_code error,
                                                    const asio::ip::tcp::endpoint&) {
                            self->on_connect(error);
                        });
}

void HttpConnection::on_connect(beast::error_code error) {
    if (error) return fail(error, "connect", true);
    connected_ = true;
    // Requests are small and latency is what is measured: never wait for Nagle. Writes are
    // tried at once and only wait when the socket's buffer is full.
    beast::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    socket_.non_blocking(true, ignored);
    write();
}

void HttpConnection::write() {
    beast::error_code error;
    out_written_ += socket_.write_some(
        asio::buffer(out_.data() + out_written_, out_.size() - out_written_), error);
    if (error && error != asio::error::would_block && error != asio::error::try_again) {
        return fail(error, "write", true);
    }
    if (out_written_ == out_.size()) return read();
    asio::async_write(socket_,
                      asio::buffer(out_.data() + out_written_, out_.size() - out_written_),
                      [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                          if (write_error) return self->fail(write_error, "write", true);
                          self->read();
                      });
}

void HttpConnection::read() {
    real::read_when_readable(socket_, buffer_, read_chunk_bytes,
                             [self = shared_from_this()](beast::error_code error,
                                                         std::size_t bytes) {
                                 self->on_read(error, bytes);
                             });
}

void HttpConnection::on_read(beast::error_code error, std::size_t bytes) {
    buffer_.commit(bytes);
    answer_bytes_ += bytes;
    if (error == asio::error::eof && parser_->got_some()) {
        // An answer delimited by the end of the connection ends here.
        beast::error_code eof_error;
        parser_->put_eof(eof_error);
        if (!eof_error && parser_->is_done()) return answered();
        return fail(eof_error ? eof_error : error, "read", false);
    }
    if (error) return fail(error, "read", answer_bytes_ == 0);
    parse();
}

void HttpConnection::parse() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
        beast::error_code error;
        const std::size_t used = parser_->put(buffer_.data(), error);
        buffer_.consume(used);
        if (error == http::error::need_more) break;
        if (error) return fail(error, "read", false);
        if (used == 0) break;
    }
    if (parser_->is_done()) return answered();
    read();
}

void HttpConnection::answered() {
    auto response = parser_->release();
    ExchangeOutcome outcome;
    outcome.status_code = response.result_int();
    outcome.body = std::move(response.body());
    outcome.reusable = response.keep_alive();
    outcome.bytes_out = request_.body().size();
    if (outcome.status_code < 200 || outcome.status_code >= 400) {
        outcome.error = std::to_string(outcome.status_code) + " " +
                        std::string(http::obsolete_reason(response.result()));
    }
    // Whatever else arrived belongs to no request of ours.
    buffer_.consume(buffer_.size());
    if (!outcome.reusable) close();
    finish(std::move(outcome));
}

void HttpConnection::fail(beast::error_code error, const char* stage, bool before_answer) {
    ExchangeOutcome outcome;
    outcome.bytes_out = request_.body().size();
    if (timed_out_) {
        outcome.error = std::string(stage) + ": timeout";
    } else {
        outcome.stale_connection = reused_ && before_answer && closed_by_peer(error);
        outcome.error = std::string(stage) + ": " + error.message();
    }
    buffer_.consume(buffer_.size());
    close();
    finish(std::move(outcome));
}

void HttpConnection::finish(ExchangeOutcome outcome) {
    ASSERT(busy_);
    busy_ = false;
    // Move the callback out first: it may start the next exchange on this connection.
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
    // Unless it did (a closed loop does, at once, and keeps the timer armed), leave no wait
    // pending: an armed timer would keep the io_context's run() going until the deadline
    // (a probe's run, a load's end).
    if (!busy_) rest();
}

}  // namespace raftlink::bench
