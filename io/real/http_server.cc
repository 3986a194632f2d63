// SPDX-License-Identifier: MIT
#include "io/real/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "core/text.h"
#include "io/real/http_session.h"

namespace raftlink::real {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

/// What a connection over connections_max gets before it is closed. It is written without
/// waiting (the socket's send buffer is empty), so a flood costs one write per connection.
constexpr std::string_view over_capacity_response =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 39\r\n"
    "\r\n"
    R"({"message":"too many open connections"})";

/// Logs at most one line per interval about a recurring condition, with how often it recurred.
class RateLimitedLog {
public:
    void warn(const std::string& what) {
        const auto now = std::chrono::steady_clock::now();
        suppressed_ += 1;
        if (now - last_ < std::chrono::seconds(1)) return;
        spdlog::warn("http: {} ({} times since the last report)", what, suppressed_);
        last_ = now;
        suppressed_ = 0;
    }

private:
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t suppressed_ = 0;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
    Impl(asio::io_context& io, tcp::endpoint endpoint, HttpBackend backend, HttpLimits limits)
        : listen(std::move(endpoint)),
          acceptor(io),
          context(std::make_shared<HttpContext>(
              HttpContext{std::move(backend), limits, {}, 0, 1, {}})) {}

    void accept();
    void on_accept(tcp::socket socket);
    void reject(tcp::socket socket);

    tcp::endpoint listen;
    tcp::acceptor acceptor;
    std::shared_ptr<HttpContext> context;
    bool running = false;
    RateLimitedLog over_capacity_log;
};

void HttpServer::Impl::accept() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code error, tcp::socket socket) {
            if (!self->running) return;
            if (!error) {
                self->on_accept(std::move(socket));
            } else if (error != asio::error::operation_aborted) {
                // E.g. EMFILE: keep accepting; the next attempt may succeed.
                spdlog::debug("http: accept failed: {}", error.message());
            }
            self->accept();
        });
}

void HttpServer::Impl::on_accept(tcp::socket socket) {
    if (context->connections >= context->limits.connections_max) {
        reject(std::move(socket));
        return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(std::move(socket), context)->start();
}

void HttpServer::Impl::reject(tcp::socket socket) {
    over_capacity_log.warn("connection refused: " + std::to_string(context->connections) +
                           " connections open, the limit");
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(over_capacity_response.data(), over_capacity_response.size()),
                      ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    context->backend.metrics.observe_request("other", 503, 0.0);
}

HttpServer::HttpServer(asio::io_context& io, tcp::endpoint listen, HttpBackend backend,
                       HttpLimits limits)
    : impl_(std::make_shared<Impl>(io, std::move(listen), std::move(backend), limits)) {}

HttpServer::~HttpServer() { stop(); }

Result<bool> HttpServer::start() {
    ASSERT(!impl_->running);
    boost::system::error_code error;
    tcp::acceptor& acceptor = impl_->acceptor;
    const auto fail = [&](const char* step) -> Result<bool> {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        const std::string address = impl_->listen.address().to_string();
        return make_error(ErrorCode::OutOfRange,
                          concat("HTTP server: cannot ", step, " ", address, ":",
                                 impl_->listen.port(), ": ", error.message()));
    };
    if (acceptor.open(impl_->listen.protocol(), error)) return fail("open");
    if (acceptor.set_option(tcp::acceptor::reuse_address(true), error)) return fail("configure");
    if (acceptor.bind(impl_->listen, error)) return fail("bind");
    if (acceptor.listen(asio::socket_base::max_listen_connections, error)) return fail("listen");
    const tcp::endpoint bound = acceptor.local_endpoint(error);
    if (error) return fail("read the address of");
    const std::string address = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                         : bound.address().to_string();
    impl_->context->host = address + ":" + std::to_string(bound.port());
    impl_->running = true;
    impl_->accept();
    spdlog::info("http: listening on {}", impl_->context->host);
    return true;
}

void HttpServer::stop() {
    if (!impl_->running) return;
    impl_->running = false;
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    // close() removes each session from the map, so iterate over a copy.
    std::vector<std::weak_ptr<HttpSession>> open;
    for (const auto& [id, session] : impl_->context->sessions) open.push_back(session);
    for (const auto& weak : open) {
        if (const auto session = weak.lock()) session->close("server stopped");
    }
    spdlog::info("http: stopped");
}

unsigned short HttpServer::port() const {
    boost::system::error_code error;
    const tcp::endpoint bound = impl_->acceptor.local_endpoint(error);
    return error ? 0 : bound.port();
}

}  // namespace raftlink::real
