// SPDX-License-Identifier: MIT
// AsioTransport on loopback: authenticated exchange, refusal of strangers and garbage,
// reconnects, and a clean stop. Real sockets, but no sleeps: each wait runs the io_context
// until a condition holds or a deadline passes.
#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "core/raft/message_codec.h"
#include "io/real/asio_transport.h"
#include "io/real/frame.h"
#include "io/real/handshake.h"

namespace raftlink::real {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using boost::system::error_code;

constexpr auto wait_max = 5s;
const std::string secret = "correct horse battery staple";

/// Runs `io` until `done()` holds or `limit` passes; true if it holds.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = wait_max) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(5ms);
    }
    return done();
}

/// Routes spdlog's default logger into a string for the test's lifetime.
class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(text_);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::string text() const { return text_.str(); }
    bool contains(const std::string& needle) const {
        return text().find(needle) != std::string::npos;
    }

private:
    std::ostringstream text_;
    std::shared_ptr<spdlog::logger> previous_;
};

tcp::endpoint loopback(unsigned short port) {
    return tcp::endpoint(asio::ip::address_v4::loopback(), port);
}

/// A port that was free a moment ago, for two transports that must know each other's
/// addresses before either starts.
unsigned short free_port(asio::io_context& io) {
    tcp::acceptor probe(io, loopback(0));
    return probe.local_endpoint().port();
}

/// One node's transport and what it was delivered.
struct TestNode {
    TestNode(asio::io_context& io, TransportConfig config) {
        transport = std::make_unique<AsioTransport>(
            io, std::move(config),
            [this](const raft::Message& message) { received.push_back(message); });
    }
    std::vector<raft::Message> received;
    std::unique_ptr<AsioTransport> transport;
};

TransportConfig config_for(std::uint64_t self, unsigned short port,
                           std::map<NodeId, tcp::endpoint> peers,
                           const std::string& cluster_secret = secret) {
    TransportConfig config;
    config.self = NodeId(self);
    config.listen = loopback(port);
    config.peers = std::move(peers);
    config.secret = cluster_secret;
    config.reconnect_delay_min = 10ms;
    config.reconnect_delay_max = 100ms;
    return config;
}

raft::Message append_entries(std::uint64_t from, std::uint64_t to, std::uint64_t commit) {
    raft::AppendEntries body{LogIndex(1), Term(1), {}, LogIndex(commit), 0};
    body.entries.push_back(
        raft::Entry{Term(2), LogIndex(2), Bytes{'h', 't', 't', 'p', 's', ':', '/', '/'}});
    body.entries.push_back(raft::Entry{Term(2), LogIndex(3), Bytes{}});
    return raft::Message{NodeId(from), NodeId(to), Term(2), std::move(body)};
}

raft::Message request_vote(std::uint64_t from, std::uint64_t to) {
    return raft::Message{NodeId(from), NodeId(to), Term(5),
                         raft::RequestVote{LogIndex(9), Term(4), false, true}};
}

bool same(const raft::Message& a, const raft::Message& b) {
    return raft::encode_message(a) == raft::encode_message(b);
}

// Raw-socket helpers: a hand-driven peer that can misbehave. Each runs the io_context (so
// the transport's handlers run too) until its own operation completes.

bool raw_connect(asio::io_context& io, tcp::socket& socket, unsigned short port) {
    std::optional<error_code> result;
    socket.async_connect(loopback(port), [&](const error_code& error) { result = error; });
    return run_until(io, [&] { return result.has_value(); }) && !*result;
}

std::optional<Bytes> raw_read(asio::io_context& io, tcp::socket& socket, std::size_t count) {
    Bytes bytes(count);
    std::optional<error_code> result;
    asio::async_read(socket, asio::buffer(bytes),
                     [&](const error_code& error, std::size_t) { result = error; });
    if (!run_until(io, [&] { return result.has_value(); }) || *result) return std::nullopt;
    return bytes;
}

bool raw_write(asio::io_context& io, tcp::socket& socket, const Bytes& bytes) {
    std::optional<error_code> result;
    asio::async_write(socket, asio::buffer(bytes),
                      [&](const error_code& error, std::size_t) { result = error; });
    return run_until(io, [&] { return result.has_value(); }) && !*result;
}

/// True once the other side has closed the connection (a read ends in an error).
bool raw_closed_by_peer(asio::io_context& io, tcp::socket& socket) {
    std::array<std::uint8_t, 64> sink{};
    std::optional<error_code> result;
    std::function<void()> read_more = [&] {
        socket.async_read_some(asio::buffer(sink), [&](const error_code& error, std::size_t) {
            if (error) {
                result = error;
            } else {
                read_more();
            }
        });
    };
    read_more();
    const bool closed = run_until(io, [&] { return result.has_value(); });
    if (!closed) socket.close();  // cancels the read, whose handler uses this frame
    run_until(io, [&] { return result.has_value(); }, 1s);
    return closed;
}

/// Connects, answers the challenge as `node` with `cluster_secret`, and reads the welcome.
bool raw_authenticate(asio::io_context& io, tcp::socket& socket, unsigned short port,
                      std::uint64_t node, const std::string& cluster_secret = secret) {
    if (!raw_connect(io, socket, port)) return false;
    const std::optional<Bytes> challenge_read = raw_read(io, socket, challenge_bytes);
    if (!challenge_read) return false;
    Challenge challenge{};
    std::copy(challenge_read->begin(), challenge_read->end(), challenge.begin());
    const HelloBytes hello = encode_hello(cluster_secret, challenge, NodeId(node));
    if (!raw_write(io, socket, Bytes(hello.begin(), hello.end()))) return false;
    const std::optional<Bytes> welcome = raw_read(io, socket, welcome_bytes);
    return welcome.has_value();
}

Bytes frame_of(const raft::Message& message) {
    Result<Bytes> frame = encode_frame(message, frame_bytes_max);
    REQUIRE(frame.ok());
    return frame.value();
}

/// Node 2 listening on port 0 and accepting nodes 1 and 3, with node 1 a real transport
/// dialling it: the "good peer" that must keep working while a raw socket misbehaves.
struct GoodPair {
    explicit GoodPair(asio::io_context& io_context,
                      std::chrono::milliseconds handshake_timeout = 5000ms)
        : io(io_context) {
        const unsigned short port_one = free_port(io);
        TransportConfig config_two =
            config_for(2, 0, {{NodeId(1), loopback(port_one)}, {NodeId(3), loopback(1)}});
        config_two.handshake_timeout = handshake_timeout;
        two = std::make_unique<TestNode>(io, config_two);
        REQUIRE(two->transport->start().ok());
        one = std::make_unique<TestNode>(
            io, config_for(1, port_one, {{NodeId(2), loopback(two->transport->port())}}));
        REQUIRE(one->transport->start().ok());
    }
    /// Node 1 sends one AppendEntries to node 2, which must arrive.
    bool still_works(std::uint64_t commit) {
        const std::size_t before = two->received.size();
        one->transport->send(append_entries(1, 2, commit));
        return run_until(io, [&] { return two->received.size() > before; }) &&
               same(two->received.back(), append_entries(1, 2, commit));
    }
    asio::io_context& io;
    std::unique_ptr<TestNode> two;
    std::unique_ptr<TestNode> one;
};

TEST_SUITE("real") {
    TEST_CASE("handshake: the MAC binds the secret, the challenge and the node id") {
        const std::optional<Challenge> challenge = make_challenge();
        REQUIRE(challenge.has_value());
        const HelloBytes bytes = encode_hello(secret, *challenge, NodeId(3));
        const Result<Hello> hello = decode_hello(bytes);
        REQUIRE(hello.ok());
        CHECK(hello.value().node == NodeId(3));
        CHECK(verify_hello(secret, *challenge, hello.value()));
        CHECK_FALSE(verify_hello("another secret", *challenge, hello.value()));

        Challenge other = *challenge;
        other[0] ^= 1;
        CHECK_FALSE(verify_hello(secret, other, hello.value()));
        Hello claimed = hello.value();
        claimed.node = NodeId(4);
        CHECK_FALSE(verify_hello(secret, *challenge, claimed));

        HelloBytes bad_magic = bytes;
        bad_magic[0] = 'X';
        CHECK_FALSE(decode_hello(bad_magic).ok());
        const Result<NodeId> acceptor = decode_welcome(encode_welcome(NodeId(2)));
        REQUIRE(acceptor.ok());
        CHECK(acceptor.value() == NodeId(2));
    }

    TEST_CASE("transport: two nodes with the same secret exchange messages both ways") {
        LogCapture log;
        asio::io_context io;
        const unsigned short port_one = free_port(io);
        const unsigned short port_two = free_port(io);
        TestNode one(io, config_for(1, port_one, {{NodeId(2), loopback(port_two)}}));
        TestNode two(io, config_for(2, port_two, {{NodeId(1), loopback(port_one)}}));
        REQUIRE(one.transport->start().ok());
        REQUIRE(two.transport->start().ok());
        CHECK(one.transport->port() == port_one);

        const std::vector<raft::Message> to_two = {
            append_entries(1, 2, 1),
            raft::Message{NodeId(1), NodeId(2), Term(5), raft::RequestVoteReply{true, false}},
            raft::Message{NodeId(1), NodeId(2), Term(5), raft::TimeoutNow{}},
        };
        const std::vector<raft::Message> to_one = {
            request_vote(2, 1),
            raft::Message{NodeId(2), NodeId(1), Term(2),
                          raft::AppendEntriesReply{true, LogIndex(3), LogIndex(0), Term(0), 0}},
        };
        for (const raft::Message& message : to_two) one.transport->send(message);
        for (const raft::Message& message : to_one) two.transport->send(message);
        REQUIRE(run_until(io, [&] {
            return two.received.size() == to_two.size() && one.received.size() == to_one.size();
        }));
        // One connection per direction keeps each direction's messages in order.
        for (std::size_t i = 0; i < to_two.size(); ++i) CHECK(same(two.received[i], to_two[i]));
        for (std::size_t i = 0; i < to_one.size(); ++i) CHECK(same(one.received[i], to_one[i]));
        CHECK(log.contains("RPC: connected to node 2"));
        CHECK(log.contains("RPC: connected to node 1"));
        CHECK(one.transport->stats().messages_sent == to_two.size());
        CHECK(two.transport->stats().messages_received == to_two.size());
    }

    TEST_CASE("transport: the send queue is bounded and drops the oldest frames") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        // Nothing runs between these sends, so all of them wait in node 1's queue.
        const std::size_t extra = 100;
        for (std::size_t i = 0; i < peer_queue_messages_max + extra; ++i) {
            pair.one->transport->send(append_entries(1, 2, i));
        }
        CHECK(pair.one->transport->stats().messages_dropped == extra);
        REQUIRE(run_until(io, [&] {
            return pair.two->received.size() == peer_queue_messages_max;
        }));
        CHECK(same(pair.two->received.front(), append_entries(1, 2, extra)));
        CHECK(same(pair.two->received.back(),
                   append_entries(1, 2, peer_queue_messages_max + extra - 1)));
    }

    TEST_CASE("transport: sends to self, to unknown nodes, or after stop are dropped") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        pair.one->transport->send(append_entries(1, 1, 0));
        pair.one->transport->send(append_entries(1, 9, 0));
        CHECK(pair.one->transport->stats().messages_unroutable == 2);
        CHECK(pair.still_works(1));
        pair.one->transport->stop();
        pair.one->transport->send(append_entries(1, 2, 2));
        CHECK(pair.one->transport->stats().messages_unroutable == 3);
    }

    TEST_CASE("transport: a dialer with the wrong secret is refused and delivers nothing") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        TestNode intruder(io, config_for(3, 0, {{NodeId(2), loopback(pair.two->transport->port())}},
                                         "a guessed secret"));
        REQUIRE(intruder.transport->start().ok());
        intruder.transport->send(request_vote(3, 2));
        REQUIRE(run_until(io, [&] { return log.contains("bad cluster secret"); }));
        CHECK(log.contains("refused peer connection from 127.0.0.1:"));
        CHECK(pair.two->transport->stats().connections_refused >= 1);
        CHECK(pair.two->received.empty());
        CHECK(pair.still_works(1));
        CHECK(pair.two->received.size() == 1);
        // The intruder learns only that it was refused (no welcome), and sends nothing.
        REQUIRE(run_until(io, [&] { return log.contains("refused by the peer"); }));
        CHECK(intruder.transport->stats().messages_sent == 0);
    }

    TEST_CASE("transport: a node id outside the configuration is refused") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        tcp::socket raw(io);
        CHECK_FALSE(raw_authenticate(io, raw, pair.two->transport->port(), 7));
        CHECK(log.contains("unknown node id 7"));
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: garbage instead of a handshake closes the connection") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        tcp::socket raw(io);
        REQUIRE(raw_connect(io, raw, pair.two->transport->port()));
        REQUIRE(raw_read(io, raw, challenge_bytes).has_value());
        REQUIRE(raw_write(io, raw, Bytes(hello_bytes, 0xAB)));
        CHECK(raw_closed_by_peer(io, raw));
        CHECK(log.contains("bad handshake magic or version"));
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: a silent connection is closed at the handshake timeout") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io, 100ms);
        tcp::socket raw(io);
        REQUIRE(raw_connect(io, raw, pair.two->transport->port()));
        CHECK(raw_closed_by_peer(io, raw));
        CHECK(log.contains("handshake timeout"));
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: an oversized length prefix closes an authenticated connection") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        tcp::socket raw(io);
        REQUIRE(raw_authenticate(io, raw, pair.two->transport->port(), 3));
        REQUIRE(raw_write(io, raw, Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}));
        CHECK(raw_closed_by_peer(io, raw));
        CHECK(log.contains("exceeds the bound"));
        CHECK(pair.two->transport->stats().connections_closed == 1);
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: a corrupt frame closes the connection and is not delivered") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        tcp::socket raw(io);
        REQUIRE(raw_authenticate(io, raw, pair.two->transport->port(), 3));
        Bytes frame = frame_of(request_vote(3, 2));
        frame.back() ^= 0x01;
        REQUIRE(raw_write(io, raw, frame));
        CHECK(raw_closed_by_peer(io, raw));
        CHECK(log.contains("closing peer connection from node 3 (127.0.0.1:"));
        CHECK(log.contains("frame checksum mismatch"));
        CHECK(pair.two->received.empty());
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: a message claiming another sender or receiver is dropped") {
        LogCapture log;
        asio::io_context io;
        GoodPair pair(io);
        {
            tcp::socket raw(io);
            REQUIRE(raw_authenticate(io, raw, pair.two->transport->port(), 3));
            REQUIRE(raw_write(io, raw, frame_of(request_vote(3, 2))));
            REQUIRE(run_until(io, [&] { return pair.two->received.size() == 1; }));
            REQUIRE(raw_write(io, raw, frame_of(request_vote(1, 2))));
            CHECK(raw_closed_by_peer(io, raw));
            CHECK(log.contains("message claims to be from node 1"));
        }
        {
            tcp::socket raw(io);
            REQUIRE(raw_authenticate(io, raw, pair.two->transport->port(), 3));
            REQUIRE(raw_write(io, raw, frame_of(request_vote(3, 4))));
            CHECK(raw_closed_by_peer(io, raw));
            CHECK(log.contains("message addressed to node 4"));
        }
        CHECK(pair.two->received.size() == 1);
        CHECK(pair.still_works(1));
    }

    TEST_CASE("transport: a delivery that stops the transport ends delivery at once") {
        LogCapture log;
        asio::io_context io;
        std::size_t delivered = 0;
        // Node 2 only accepts here; the address it would dial node 1 at does not matter.
        AsioTransport two(io, config_for(2, 0, {{NodeId(1), loopback(1)}}),
                          [&](const raft::Message&) {
                              delivered += 1;
                              two.stop();
                          });
        REQUIRE(two.start().ok());
        TestNode one(io, config_for(1, 0, {{NodeId(2), loopback(two.port())}}));
        REQUIRE(one.transport->start().ok());
        // Both frames go out in one gathered write, so the second is already readable when
        // the first is delivered.
        one.transport->send(append_entries(1, 2, 1));
        one.transport->send(append_entries(1, 2, 2));
        REQUIRE(run_until(io, [&] { return delivered == 1; }));
        CHECK_FALSE(run_until(io, [&] { return delivered > 1; }, 100ms));
        CHECK(two.stats().messages_received == 1);
    }

    TEST_CASE("transport: a peer that is down at first is reached once it starts") {
        LogCapture log;
        asio::io_context io;
        const unsigned short port_one = free_port(io);
        const unsigned short port_two = free_port(io);
        TestNode one(io, config_for(1, port_one, {{NodeId(2), loopback(port_two)}}));
        REQUIRE(one.transport->start().ok());
        one.transport->send(append_entries(1, 2, 7));
        REQUIRE(run_until(io, [&] { return log.contains("RPC: cannot connect to node 2"); }));

        TestNode two(io, config_for(2, port_two, {{NodeId(1), loopback(port_one)}}));
        REQUIRE(two.transport->start().ok());
        REQUIRE(run_until(io, [&] { return two.received.size() == 1; }));
        CHECK(same(two.received.front(), append_entries(1, 2, 7)));
        CHECK(log.contains("RPC: connected to node 2"));
    }

    TEST_CASE("transport: a peer that dials us cuts our backoff short, so we reach it at once") {
        LogCapture log;
        asio::io_context io;
        const unsigned short port_one = free_port(io);
        const unsigned short port_two = free_port(io);
        // Node 1 fails its first dial and then waits at least 30 s (backoff 60 s, jitter
        // 0.5-1.5): without the peer's inbound connection cutting that short, the message
        // below could not arrive within run_until's 5 s.
        TransportConfig patient = config_for(1, port_one, {{NodeId(2), loopback(port_two)}});
        patient.reconnect_delay_min = 60s;
        patient.reconnect_delay_max = 60s;
        TestNode one(io, std::move(patient));
        REQUIRE(one.transport->start().ok());
        REQUIRE(run_until(io, [&] { return log.contains("RPC: cannot connect to node 2"); }));

        TestNode two(io, config_for(2, port_two, {{NodeId(1), loopback(port_one)}}));
        REQUIRE(two.transport->start().ok());
        REQUIRE(run_until(io, [&] { return log.contains("RPC: connected to node 2"); }));
        one.transport->send(append_entries(1, 2, 7));
        REQUIRE(run_until(io, [&] { return two.received.size() == 1; }));
        CHECK(same(two.received.front(), append_entries(1, 2, 7)));
    }

    TEST_CASE("transport: a restarted peer is redialled; stop is safe with handlers pending") {
        LogCapture log;
        asio::io_context io;
        const unsigned short port_one = free_port(io);
        const unsigned short port_two = free_port(io);
        TestNode one(io, config_for(1, port_one, {{NodeId(2), loopback(port_two)}}));
        REQUIRE(one.transport->start().ok());
        auto two = std::make_unique<TestNode>(
            io, config_for(2, port_two, {{NodeId(1), loopback(port_one)}}));
        REQUIRE(two->transport->start().ok());
        one.transport->send(append_entries(1, 2, 1));
        REQUIRE(run_until(io, [&] { return two->received.size() == 1; }));

        // Node 2 stops with reads, writes and timers outstanding and is destroyed before the
        // io_context runs their handlers.
        two->transport->send(request_vote(2, 1));
        two->transport->stop();
        two.reset();
        REQUIRE(run_until(io, [&] { return log.contains("RPC: connection to node 2 lost"); }));

        TestNode again(io, config_for(2, port_two, {{NodeId(1), loopback(port_one)}}));
        REQUIRE(again.transport->start().ok());
        one.transport->send(append_entries(1, 2, 2));
        REQUIRE(run_until(io, [&] { return !again.received.empty(); }));
        CHECK(same(again.received.back(), append_entries(1, 2, 2)));
        again.transport->send(request_vote(2, 1));
        REQUIRE(run_until(io, [&] { return !one.received.empty(); }));
        CHECK(same(one.received.back(), request_vote(2, 1)));
    }
}

}  // namespace
}  // namespace raftlink::real
