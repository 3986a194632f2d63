// SPDX-License-Identifier: MIT
#include "apps/bench/http_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/assert.h"

namespace raftlink::bench {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

/// Answers larger than this are refused; the node's largest answer is a few kilobytes.
constexpr std::uint64_t response_body_bytes_max = 16u << 20;

bool closed_by_peer(beast::error_code error) {
    return error == http::error::end_of_stream || error == boost::asio::error::eof ||
           error == boost::asio::error::connection_reset ||
           error == boost::asio::error::broken_pipe;
}

}  // namespace

HttpConnection::HttpConnection(boost::asio::io_context& context, const Endpoints& endpoints,
                               std::string host_header)
    : stream_(context), endpoints_(endpoints), host_header_(std::move(host_header)) {}

void HttpConnection::exchange(const PreparedRequest& request, DurationNs timeout, Done done) {
    ASSERT(!busy_);
    ASSERT(done);
    busy_ = true;
    done_ = std::move(done);
    request_ = {};
    request_.version(11);
    request_.method(request.method == HttpMethod::Post ? http::verb::post : http::verb::get);
    request_.target(request.path);
    request_.set(http::field::host, host_header_);
    request_.set(http::field::user_agent, "raftlink-bench");
    if (request.method == HttpMethod::Post) {
        request_.set(http::field::content_type, "text/plain");
        request_.body() = request.body;
    }
    request_.keep_alive(true);
    request_.prepare_payload();
    parser_.emplace();
    parser_->body_limit(response_body_bytes_max);
    // One deadline for the whole exchange: tcp_stream's timer is a point in time that every
    // operation started before it is changed shares.
    stream_.expires_after(std::chrono::nanoseconds(timeout));
    reused_ = connected_;
    if (connected_) {
        write();
    } else {
        connect();
    }
}

void HttpConnection::close() {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    connected_ = false;
}

void HttpConnection::connect() {
    stream_.async_connect(endpoints_,
                          [self = shared_from_this()](beast::error_code error,
                                                      const boost::asio::ip::tcp::endpoint&) {
                              self->on_connect(error);
                          });
}

void HttpConnection::on_connect(beast::error_code error) {
    if (error) return fail(error, "connect", true);
    connected_ = true;
    // Requests are small and latency is what is measured: never wait for Nagle.
    beast::error_code ignored;
    stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    write();
}

void HttpConnection::write() {
    http::async_write(stream_, request_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                          self->on_write(error);
                      });
}

void HttpConnection::on_write(beast::error_code error) {
    if (error) return fail(error, "write", true);
    read();
}

void HttpConnection::read() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                         self->on_read(error, bytes);
                     });
}

void HttpConnection::on_read(beast::error_code error, std::size_t bytes) {
    if (error) return fail(error, "read", bytes == 0);
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
    if (!outcome.reusable) close();
    finish(std::move(outcome));
}

void HttpConnection::fail(beast::error_code error, const char* stage, bool before_answer) {
    ExchangeOutcome outcome;
    outcome.bytes_out = request_.body().size();
    outcome.stale_connection = reused_ && before_answer && closed_by_peer(error);
    if (error == beast::error::timeout) {
        outcome.error = std::string(stage) + ": timeout";
    } else {
        outcome.error = std::string(stage) + ": " + error.message();
    }
    close();
    finish(std::move(outcome));
}

void HttpConnection::finish(ExchangeOutcome outcome) {
    ASSERT(busy_);
    busy_ = false;
    if (connected_) stream_.expires_never();
    // Move the callback out first: it may start the next exchange on this connection.
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
}

}  // namespace raftlink::bench
