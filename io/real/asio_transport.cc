// SPDX-License-Identifier: MIT
#include "io/real/asio_transport.h"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "core/assert.h"
#include "io/real/frame.h"
#include "io/real/frame_encoder.h"
#include "io/real/peer_socket.h"
#include "io/real/peer_connection.h"
#include "io/real/peer_inbound.h"

namespace raftlink::real {

namespace asio = boost::asio;
using boost::system::error_code;

/// After a failed accept (say, out of file descriptors), wait this long before the next one
/// rather than spin on the same error.
constexpr std::chrono::milliseconds accept_retry_delay{100};

struct AsioTransport::Impl : std::enable_shared_from_this<AsioTransport::Impl> {
    enum class State { Created, Started, Stopped };

    Impl(asio::io_context& io_context, TransportConfig transport_config,
         std::function<void(const raft::Message&)> deliver_message)
        : io(io_context),
          config(std::move(transport_config)),
          deliver(std::move(deliver_message)),
          acceptor(io_context),
          accept_retry(io_context),
          stats(std::make_shared<TransportStats>()) {}

    Result<bool> start();
    void stop();
    void send(const raft::Message& message);
    void accept_next();
    void on_accept(const error_code& error, asio::ip::tcp::socket socket);
    void on_authenticated(NodeId peer, const std::shared_ptr<PeerInbound>& connection);
    void on_message(const raft::Message& message);
    std::size_t inbound_open();

    asio::io_context& io;
    TransportConfig config;
    std::function<void(const raft::Message&)> deliver;
    asio::ip::tcp::acceptor acceptor;
    asio::steady_timer accept_retry;
    std::shared_ptr<TransportStats> stats;
    /// Encodes the AppendEntries a leader sends to several followers once.
    FrameEncoder encoder;
    std::shared_ptr<const InboundSettings> inbound_settings;
    State state = State::Created;
    unsigned short bound_port = 0;
    /// One outbound connection per configured peer other than self.
    std::map<NodeId, std::shared_ptr<PeerConnection>> peers;
    /// Every accepted connection that may still be open, for stop() and the bound.
    std::vector<std::weak_ptr<PeerInbound>> inbound;
    /// The newest authenticated connection from each peer.
    std::map<NodeId, std::weak_ptr<PeerInbound>> inbound_by_peer;
};

Result<bool> AsioTransport::Impl::start() {
    ASSERT(state == State::Created);
    if (config.secret.empty()) {
        return make_error(ErrorCode::OutOfRange, "the cluster secret is empty");
    }
    error_code error;
    acceptor.open(config.listen.protocol(), error);
    if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor.bind(config.listen, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        error_code ignored;
        acceptor.close(ignored);
        return make_error(ErrorCode::NotFound, "cannot listen on " +
                                                   describe_address(config.listen) + ": " +
                                                   error.message());
    }
    bound_port = acceptor.local_endpoint(error).port();
    state = State::Started;

    auto settings = std::make_shared<InboundSettings>();
    settings->self = config.self;
    settings->secret = config.secret;
    settings->handshake_timeout = config.handshake_timeout;
    for (const auto& [id, address] : config.peers) {
        if (id == config.self) continue;
        settings->peers.insert(id);
        PeerSettings peer{config.self,
                          id,
                          address,
                          config.secret,
                          config.handshake_timeout,
                          config.reconnect_delay_min,
                          config.reconnect_delay_max};
        auto connection = std::make_shared<PeerConnection>(io, std::move(peer), stats);
        peers.emplace(id, connection);
        connection->start();
    }
    inbound_settings = std::move(settings);
    spdlog::info("RPC: node {} listening for peers on {}", config.self.value,
                 describe_address(acceptor.local_endpoint(error)));
    accept_next();
    return true;
}

void AsioTransport::Impl::stop() {
    if (state == State::Stopped) return;
    state = State::Stopped;
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    for (auto& [id, connection] : peers) connection->stop();
    for (const std::weak_ptr<PeerInbound>& weak : inbound) {
        if (auto connection = weak.lock()) connection->close();
    }
    inbound.clear();
    inbound_by_peer.clear();
}

void AsioTransport::Impl::send(const raft::Message& message) {
    const auto peer = peers.find(message.to);
    if (state != State::Started || peer == peers.end()) {
        // To self, to a node outside the configuration, or outside start()..stop().
        stats->messages_unroutable += 1;
        return;
    }
    ASSERT(message.from == config.self);
    Result<Bytes> frame = encoder.encode(message, frame_bytes_max);
    if (!frame.ok()) {
        // The core bounds its batches well below the frame bound; this is a lost message,
        // which Raft survives, but worth a warning because it will recur.
        spdlog::warn("RPC: dropping {} to node {}: {}", raft::message_type_name(message.body),
                     message.to.value, frame.error().message);
        stats->messages_unroutable += 1;
        return;
    }
    peer->second->enqueue(std::move(frame.value()));
}

void AsioTransport::Impl::accept_next() {
    auto self = shared_from_this();
    acceptor.async_accept([self](const error_code& error, asio::ip::tcp::socket socket) {
        self->on_accept(error, std::move(socket));
    });
}

void AsioTransport::Impl::on_accept(const error_code& error, asio::ip::tcp::socket socket) {
    if (state != State::Started) return;
    if (error) {
        spdlog::warn("RPC: accepting a peer connection failed: {}", error.message());
        auto self = shared_from_this();
        accept_retry.expires_after(accept_retry_delay);
        accept_retry.async_wait([self](const error_code& wait_error) {
            if (!wait_error && self->state == State::Started) self->accept_next();
        });
        return;
    }
    if (inbound_open() >= inbound_connections_max) {
        error_code ignored;
        const asio::ip::tcp::endpoint remote = socket.remote_endpoint(ignored);
        spdlog::warn("refused peer connection from {}: {} connections already open",
                     describe_address(remote), inbound_connections_max);
        stats->connections_refused += 1;
        socket.close(ignored);
    } else {
        std::weak_ptr<Impl> weak = weak_from_this();
        auto connection = std::make_shared<PeerInbound>(
            std::move(socket), inbound_settings, stats,
            [weak](const raft::Message& message) {
                if (auto impl = weak.lock()) impl->on_message(message);
            },
            [weak](NodeId peer, const std::shared_ptr<PeerInbound>& authenticated) {
                if (auto impl = weak.lock()) impl->on_authenticated(peer, authenticated);
            });
        inbound.push_back(connection);
        connection->start();
    }
    accept_next();
}

void AsioTransport::Impl::on_authenticated(NodeId peer,
                                           const std::shared_ptr<PeerInbound>& connection) {
    if (state != State::Started) return connection->close();
    // A peer that restarted or lost its connection dials again; the old connection may stay
    // half-open for a long time (no FIN from a crashed host), so the newest one wins.
    std::weak_ptr<PeerInbound>& newest = inbound_by_peer[peer];
    if (auto previous = newest.lock(); previous && previous != connection) {
        spdlog::info("RPC: node {} reconnected from {}; closing its older connection from {}",
                     peer.value, connection->address(), previous->address());
        previous->close();
    }
    newest = connection;
    // Our own connection to that peer may be in a backoff of up to 2 s from while it was
    // down; it is up now.
    if (const auto outbound = peers.find(peer); outbound != peers.end()) {
        outbound->second->redial_now();
    }
}

void AsioTransport::Impl::on_message(const raft::Message& message) {
    if (state != State::Started) return;
    stats->messages_received += 1;
    deliver(message);
}

std::size_t AsioTransport::Impl::inbound_open() {
    std::erase_if(inbound, [](const std::weak_ptr<PeerInbound>& weak) {
        const auto connection = weak.lock();
        return connection == nullptr || connection->closed();
    });
    return inbound.size();
}

AsioTransport::AsioTransport(asio::io_context& io, TransportConfig config,
                             std::function<void(const raft::Message&)> deliver)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(deliver))) {
    ASSERT(impl_->deliver != nullptr);
}

AsioTransport::~AsioTransport() { impl_->stop(); }

Result<bool> AsioTransport::start() { return impl_->start(); }

void AsioTransport::stop() { impl_->stop(); }

void AsioTransport::send(const raft::Message& message) { impl_->send(message); }

unsigned short AsioTransport::port() const { return impl_->bound_port; }

TransportStats AsioTransport::stats() const { return *impl_->stats; }

}  // namespace raftlink::real
