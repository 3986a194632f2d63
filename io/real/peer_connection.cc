// SPDX-License-Identifier: MIT
#include "io/real/peer_connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "io/real/frame.h"
#include "io/real/peer_socket.h"

namespace raftlink::real {

namespace asio = boost::asio;
using boost::system::error_code;

PeerConnection::PeerConnection(asio::io_context& io, PeerSettings settings,
                               std::shared_ptr<TransportStats> stats)
    : settings_(std::move(settings)),
      stats_(std::move(stats)),
      socket_(io),
      deadline_(io),
      redial_(io),
      backoff_(settings_.reconnect_delay_min),
      random_(std::random_device{}()) {
    ASSERT(stats_ != nullptr);
    ASSERT(settings_.reconnect_delay_min.count() > 0);
    ASSERT(settings_.reconnect_delay_min <= settings_.reconnect_delay_max);
}

void PeerConnection::start() {
    ASSERT(state_ == State::Waiting);
    dial();
}

void PeerConnection::stop() {
    if (state_ == State::Stopped) return;
    state_ = State::Stopped;
    ++attempt_;
    error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
    redial_.cancel();
    stats_->messages_dropped += queue_.size() + writing_.size();
    queue_.clear();
    queue_bytes_ = 0;
}

void PeerConnection::redial_now() {
    if (state_ != State::Waiting) return;  // dialling, connected or stopped already
    redial_.cancel();                      // its handler sees operation_aborted and returns
    backoff_ = settings_.reconnect_delay_min;
    spdlog::debug("RPC: node {} connected to us; dialling it now", settings_.peer.value);
    dial();
}

void PeerConnection::enqueue(Bytes frame) {
    if (state_ == State::Stopped) {
        stats_->messages_unroutable += 1;
        return;
    }
    ASSERT(frame.size() <= frame_bytes_max + frame_header_bytes);
    // Drop the oldest: the newest messages carry the sender's latest term and commit index,
    // and Raft repairs whatever a gap loses (§5.3: the leader retries AppendEntries).
    while (!queue_.empty() && (queue_.size() >= peer_queue_messages_max ||
                               queue_bytes_ + frame.size() > peer_queue_bytes_max)) {
        queue_bytes_ -= queue_.front().size();
        queue_.pop_front();
        stats_->messages_dropped += 1;
    }
    queue_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
    if (state_ == State::Connected && writing_.empty()) write_next();
}

bool PeerConnection::current(std::uint64_t attempt) const {
    return attempt == attempt_ && state_ != State::Stopped;
}

void PeerConnection::dial() {
    ASSERT(state_ == State::Waiting);
    state_ = State::Dialing;
    const std::uint64_t attempt = attempt_;
    auto self = shared_from_this();
    // One deadline covers the connect and the handshake: a black-holed address would
    // otherwise hang in connect for the kernel's SYN timeout (minutes).
    deadline_.expires_after(settings_.handshake_timeout);
    deadline_.async_wait([self, attempt](const error_code& error) {
        if (error || !self->current(attempt)) return;
        self->fail("handshake timeout");
    });
    socket_.async_connect(settings_.address, [self, attempt](const error_code& error) {
        self->on_connect(attempt, error);
    });
}

void PeerConnection::on_connect(std::uint64_t attempt, const error_code& error) {
    if (!current(attempt)) return;
    if (error) return fail(error.message());
    tune_peer_socket(socket_);
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(challenge_),
                     [self, attempt](const error_code& read_error, std::size_t) {
                         self->on_challenge(attempt, read_error);
                     });
}

void PeerConnection::on_challenge(std::uint64_t attempt, const error_code& error) {
    if (!current(attempt)) return;
    if (error) return fail(std::string("handshake: ") + error.message());
    hello_ = encode_hello(settings_.secret, challenge_, settings_.self);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(hello_),
                      [self, attempt](const error_code& write_error, std::size_t) {
                          self->on_hello_sent(attempt, write_error);
                      });
}

void PeerConnection::on_hello_sent(std::uint64_t attempt, const error_code& error) {
    if (!current(attempt)) return;
    if (error) return fail(std::string("handshake: ") + error.message());
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(welcome_),
                     [self, attempt](const error_code& read_error, std::size_t) {
                         self->on_welcome(attempt, read_error);
                     });
}

void PeerConnection::on_welcome(std::uint64_t attempt, const error_code& error) {
    if (!current(attempt)) return;
    // The acceptor closes without a welcome when it refuses us; its log says why.
    if (error == asio::error::eof) {
        return fail("refused by the peer (wrong cluster secret or node id?)");
    }
    if (error) return fail(std::string("handshake: ") + error.message());
    const Result<NodeId> acceptor = decode_welcome(welcome_);
    if (!acceptor.ok()) return fail(std::string("handshake: ") + acceptor.error().message);
    if (acceptor.value() != settings_.peer) {
        return fail("the address belongs to node " + std::to_string(acceptor.value().value));
    }
    deadline_.cancel();
    state_ = State::Connected;
    backoff_ = settings_.reconnect_delay_min;
    failure_logged_ = false;
    spdlog::info("RPC: connected to node {} at {}", settings_.peer.value,
                 describe_address(settings_.address));
    watch_for_close();
    if (!queue_.empty()) write_next();
}

void PeerConnection::watch_for_close() {
    const std::uint64_t attempt = attempt_;
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(probe_),
                            [self, attempt](const error_code& error, std::size_t) {
                                if (!self->current(attempt)) return;
                                self->fail(error ? error.message()
                                                 : "unexpected bytes from the acceptor");
                            });
}

void PeerConnection::write_next() {
    ASSERT(state_ == State::Connected);
    ASSERT(writing_.empty());
    if (queue_.empty()) return;
    write_buffers_.clear();
    while (!queue_.empty() && writing_.size() < write_batch_messages_max) {
        queue_bytes_ -= queue_.front().size();
        writing_.push_back(std::move(queue_.front()));
        queue_.pop_front();
        write_buffers_.push_back(asio::buffer(writing_.back()));
    }
    const std::uint64_t attempt = attempt_;
    auto self = shared_from_this();
    asio::async_write(socket_, write_buffers_,
                      [self, attempt](const error_code& error, std::size_t) {
                          self->write_done(attempt, error);
                      });
}

void PeerConnection::write_done(std::uint64_t attempt, const error_code& error) {
    if (!current(attempt)) return;
    if (error) return fail(error.message());
    stats_->messages_sent += writing_.size();
    writing_.clear();
    write_next();
}

void PeerConnection::fail(const std::string& reason) {
    ASSERT(state_ == State::Dialing || state_ == State::Connected);
    const bool was_connected = state_ == State::Connected;
    ++attempt_;
    error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
    // Frames handed to the socket may or may not have arrived; they count as dropped.
    stats_->messages_dropped += writing_.size();
    writing_.clear();
    state_ = State::Waiting;

    const std::chrono::milliseconds delay = next_delay();
    const std::string address = describe_address(settings_.address);
    if (was_connected) {
        spdlog::info("RPC: connection to node {} lost: {}", settings_.peer.value, reason);
        failure_logged_ = true;
    } else if (!failure_logged_) {
        spdlog::info("RPC: cannot connect to node {} at {}: {}; retrying with backoff",
                     settings_.peer.value, address, reason);
        failure_logged_ = true;
    } else {
        spdlog::debug("RPC: cannot connect to node {} at {}: {}; retrying in {} ms",
                      settings_.peer.value, address, reason, delay.count());
    }

    auto self = shared_from_this();
    redial_.expires_after(delay);
    redial_.async_wait([self](const error_code& error) {
        if (error || self->state_ != State::Waiting) return;
        self->dial();
    });
}

std::chrono::milliseconds PeerConnection::next_delay() {
    // +-50% jitter around the current step, then double the step up to the maximum.
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const double delay_ms = static_cast<double>(backoff_.count()) * jitter(random_);
    backoff_ = std::min(backoff_ * 2, settings_.reconnect_delay_max);
    const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(delay_ms));
    return std::max(delay, std::chrono::milliseconds(1));
}

}  // namespace raftlink::real
