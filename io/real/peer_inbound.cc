// SPDX-License-Identifier: MIT
#include "io/real/peer_inbound.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "io/real/peer_socket.h"

namespace raftlink::real {

namespace asio = boost::asio;

/// Bytes asked of the socket per read beyond what a frame begun needs.
constexpr std::size_t read_chunk_bytes = 64 * 1024;
using boost::system::error_code;

PeerInbound::PeerInbound(asio::ip::tcp::socket socket,
                         std::shared_ptr<const InboundSettings> settings,
                         std::shared_ptr<TransportStats> stats, Deliver deliver,
                         Authenticated on_authenticated)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      settings_(std::move(settings)),
      stats_(std::move(stats)),
      deliver_(std::move(deliver)),
      on_authenticated_(std::move(on_authenticated)) {
    ASSERT(settings_ != nullptr);
    ASSERT(stats_ != nullptr);
    error_code error;
    const asio::ip::tcp::endpoint remote = socket_.remote_endpoint(error);
    address_ = error ? std::string("an unknown address") : describe_address(remote);
}

void PeerInbound::start() {
    ASSERT(!closed_);
    ASSERT(peer_ == no_node);
    auto self = shared_from_this();
    deadline_.expires_after(settings_->handshake_timeout);
    deadline_.async_wait([self](const error_code& error) {
        if (error || self->closed_ || self->peer_ != no_node) return;
        self->refuse("handshake timeout");
    });
    const std::optional<Challenge> challenge = make_challenge();
    if (!challenge) return refuse("no random bytes for the challenge (RAND_bytes failed)");
    challenge_ = *challenge;
    tune_peer_socket(socket_);
    asio::async_write(socket_, asio::buffer(challenge_),
                      [self](const error_code& error, std::size_t) {
                          self->on_challenge_sent(error);
                      });
}

void PeerInbound::close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
}

void PeerInbound::on_challenge_sent(const error_code& error) {
    if (closed_) return;
    if (error) return lost(error);
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(hello_), [self](const error_code& read_error,
                                                           std::size_t) {
        self->on_hello(read_error);
    });
}

void PeerInbound::on_hello(const error_code& error) {
    if (closed_) return;
    if (error) return lost(error);
    const Result<Hello> hello = decode_hello(hello_);
    if (!hello.ok()) return refuse(hello.error().message);
    const NodeId node = hello.value().node;
    if (node == settings_->self || settings_->peers.count(node) == 0) {
        return refuse("unknown node id " + std::to_string(node.value));
    }
    if (!verify_hello(settings_->secret, challenge_, hello.value())) {
        return refuse("bad cluster secret");
    }
    deadline_.cancel();
    peer_ = node;
    spdlog::info("RPC: accepted connection from node {} ({})", peer_.value, address_);
    welcome_ = encode_welcome(settings_->self);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(welcome_),
                      [self](const error_code& write_error, std::size_t) {
                          if (write_error && !self->closed_) self->lost(write_error);
                      });
    on_authenticated_(peer_, self);
    if (closed_) return;
    // From here on reads never wait (on_readable reads only what the socket holds).
    error_code ignored;
    socket_.non_blocking(true, ignored);
    read_frames();
}

void PeerInbound::read_frames() {
    ASSERT(peer_ != no_node);
    auto self = shared_from_this();
    socket_.async_wait(asio::ip::tcp::socket::wait_read,
                       [self](const error_code& error) { self->on_readable(error); });
}

void PeerInbound::on_readable(const error_code& error) {
    if (closed_) return;
    if (error) return lost(error);
    // Room for at least one more frame header, or the rest of the frame begun in in_.
    std::size_t wanted = in_end_ - in_begin_ + read_chunk_bytes;
    if (in_end_ - in_begin_ >= frame_header_bytes) {
        std::array<std::uint8_t, frame_header_bytes> header_bytes{};
        std::copy_n(in_.begin() + static_cast<std::ptrdiff_t>(in_begin_), frame_header_bytes,
                    header_bytes.begin());
        const Result<FrameHeader> header =
            decode_frame_header(header_bytes, settings_->frame_bytes_max);
        if (!header.ok()) return reject(header.error().message);
        wanted = std::max(wanted, frame_header_bytes + header.value().length);
    }
    // Move what is left to the front, then make room.
    std::copy(in_.begin() + static_cast<std::ptrdiff_t>(in_begin_),
              in_.begin() + static_cast<std::ptrdiff_t>(in_end_), in_.begin());
    in_end_ -= in_begin_;
    in_begin_ = 0;
    if (in_.size() < wanted) in_.resize(wanted);
    error_code read_error;
    const std::size_t bytes =
        socket_.read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_), read_error);
    if (read_error == asio::error::would_block || read_error == asio::error::try_again) {
        return read_frames();  // readiness was stale
    }
    if (read_error) return lost(read_error);
    in_end_ += bytes;
    if (take_frames()) read_frames();
}

bool PeerInbound::take_frames() {
    while (in_end_ - in_begin_ >= frame_header_bytes) {
        std::array<std::uint8_t, frame_header_bytes> header_bytes{};
        std::copy_n(in_.begin() + static_cast<std::ptrdiff_t>(in_begin_), frame_header_bytes,
                    header_bytes.begin());
        const Result<FrameHeader> header =
            decode_frame_header(header_bytes, settings_->frame_bytes_max);
        if (!header.ok()) {
            reject(header.error().message);
            return false;
        }
        const std::size_t frame_bytes = frame_header_bytes + header.value().length;
        if (in_end_ - in_begin_ < frame_bytes) break;
        const ByteView payload(in_.data() + in_begin_ + frame_header_bytes,
                               header.value().length);
        in_begin_ += frame_bytes;
        const Result<raft::Message> message = decode_frame_payload(header.value(), payload);
        if (!message.ok()) {
            reject(message.error().message);
            return false;
        }
        // The handshake authenticated the connection, not the bytes' claims: a member must
        // not speak for another (the receiver's vote and match bookkeeping key on `from`).
        if (message.value().from != peer_) {
            reject("message claims to be from node " +
                   std::to_string(message.value().from.value));
            return false;
        }
        if (message.value().to != settings_->self) {
            reject("message addressed to node " + std::to_string(message.value().to.value));
            return false;
        }
        deliver_(message.value());
        // `deliver_` may have stopped the transport, which closes this connection.
        if (closed_) return false;
    }
    return true;
}

void PeerInbound::refuse(const std::string& reason) {
    if (closed_) return;
    spdlog::warn("refused peer connection from {}: {}", address_, reason);
    stats_->connections_refused += 1;
    close();
}

void PeerInbound::reject(const std::string& reason) {
    if (closed_) return;
    spdlog::warn("closing peer connection from node {} ({}): {}", peer_.value, address_, reason);
    stats_->connections_closed += 1;
    close();
}

void PeerInbound::lost(const error_code& error) {
    if (closed_) return;
    if (peer_ == no_node) {
        // A dialer that gives up mid-handshake, or a port scanner; not worth a warning.
        spdlog::debug("peer connection from {} ended during the handshake: {}", address_,
                      error.message());
    } else {
        spdlog::info("RPC: connection from node {} ({}) closed: {}", peer_.value, address_,
                     error.message());
    }
    close();
}

}  // namespace raftlink::real
