// SPDX-License-Identifier: MIT
// The HTTP API end to end on loopback: a real single-node Replica (it elects itself) behind an
// HttpServer on 127.0.0.1:0, driven by a Beast client on the same io_context. Nothing sleeps:
// every wait is io_context::run_for until a condition holds or a deadline passes.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/replica.h"
#include "io/real/create_batcher.h"
#include "io/real/http_server.h"
#include "io/real/metrics.h"

namespace raftlink::real {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

/// Clock, Transport, Storage and Observer for one replica on an io_context: real monotonic
/// time with a steady_timer for wake-ups, no peers, and a disk that is durable at once (the
/// completion is posted, so it runs later on the same thread, as the real storage's does).
struct TestEnv final : Clock, Transport, Storage, Observer {
    explicit TestEnv(asio::io_context& io_context) : io(io_context), timer(io_context) {}

    Nanos now() const override {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - origin)
            .count();
    }
    void wake_at(Nanos deadline) override {
        timer.expires_at(origin + std::chrono::nanoseconds(deadline));
        timer.async_wait([this](const boost::system::error_code& error) {
            if (!error && replica != nullptr) replica->on_time();
        });
    }
    std::int64_t wall_now_ms() const override { return 1'700'000'000'000; }
    void send(const raft::Message&) override {}
    raft::PersistentState load() override { return {}; }
    void write(WriteBatch, std::function<void()> on_durable) override {
        if (hold_writes) return;  // a disk that never completes: nothing commits any more
        asio::post(io, std::move(on_durable));
    }
    void on_trace(NodeId, const raft::TraceLine&) override {}

    asio::io_context& io;
    asio::steady_timer timer;
    SteadyClock::time_point origin = SteadyClock::now();
    Replica* replica = nullptr;
    bool hold_writes = false;
};

HttpLimits test_limits() {
    HttpLimits limits;
    limits.body_bytes_max = 256 * 1024;  // above url_bytes_max, so a long URL reaches validation
    limits.header_bytes_max = 16 * 1024;
    limits.header_timeout = milliseconds(200);
    limits.idle_timeout = milliseconds(2000);
    limits.body_timeout = milliseconds(2000);
    return limits;
}

ReplicaConfig replica_config(std::vector<NodeId> voters) {
    ReplicaConfig config;
    config.raft.id = NodeId(1);
    config.raft.voters = std::move(voters);
    config.raft.election_timeout_min = ms(20);
    config.raft.election_timeout_max = ms(40);
    config.raft.heartbeat_interval = ms(10);
    config.raft.trace_enabled = false;
    config.code_key = 42;
    config.commit_timeout = ms(2000);
    return config;
}

/// One node: replica and HTTP server on one io_context. Members are destroyed in reverse
/// order, so the io_context (first) outlives everything that has handlers on it.
struct TestNode {
    explicit TestNode(ReplicaConfig config = replica_config({NodeId(1)}),
                      HttpLimits limits = test_limits(),
                      std::map<NodeId, std::string> http_urls = {})
        : replica(std::move(config), env, env, env, env),
          server(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                 HttpBackend{replica, metrics, std::move(http_urls)}, limits) {
        env.replica = &replica;
        REQUIRE(server.start().ok());
        replica.start();
    }

    /// Runs the io_context until `done` holds or `timeout` passes; returns `done()`.
    bool run_until(const std::function<bool()>& done, milliseconds timeout = milliseconds(5000)) {
        const auto deadline = SteadyClock::now() + timeout;
        while (!done() && SteadyClock::now() < deadline) {
            if (io.stopped()) io.restart();
            io.run_for(milliseconds(5));
        }
        return done();
    }

    void become_leader() {
        REQUIRE(run_until([&] {
            return replica.node().role() == raft::Role::Leader &&
                   replica.store().applied_index() >= LogIndex(1);
        }));
    }

    tcp::endpoint endpoint() const {
        return tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port());
    }

    asio::io_context io;
    TestEnv env{io};
    Metrics metrics;
    Replica replica;
    HttpServer server;
};

using Response = http::response<http::string_body>;

struct Reply {
    beast::error_code error;
    Response response;
};

/// A keep-alive HTTP/1.1 client connection on the node's io_context.
class Client {
public:
    explicit Client(TestNode& node) : node_(node), stream_(node.io) {
        bool done = false;
        stream_.async_connect(node.endpoint(), [&](beast::error_code error) {
            connect_error_ = error;
            done = true;
        });
        REQUIRE(node_.run_until([&] { return done; }));
        REQUIRE_FALSE(connect_error_);
    }

    beast::error_code send_raw(const std::string& bytes) {
        bool done = false;
        beast::error_code result;
        asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code error, std::size_t) {
            result = error;
            done = true;
        });
        REQUIRE(node_.run_until([&] { return done; }));
        return result;
    }

    Reply read(milliseconds timeout = milliseconds(5000)) {
        bool done = false;
        Reply reply;
        http::async_read(stream_, buffer_, reply.response,
                         [&](beast::error_code error, std::size_t) {
                             reply.error = error;
                             done = true;
                         });
        if (!node_.run_until([&] { return done; }, timeout)) {
            stream_.socket().cancel();
            node_.run_until([&] { return done; });
        }
        return reply;
    }

    /// Reads the answer to a HEAD request: headers only, whatever Content-Length says.
    Reply read_head() {
        bool done = false;
        Reply reply;
        http::response_parser<http::string_body> parser;
        parser.skip(true);
        http::async_read(stream_, buffer_, parser, [&](beast::error_code error, std::size_t) {
            reply.error = error;
            done = true;
        });
        REQUIRE(node_.run_until([&] { return done; }));
        reply.response = parser.release();
        return reply;
    }

    Reply request(http::verb method, const std::string& target, const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {}) {
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, "short.test");
        for (const auto& [name, value] : headers) request.set(name, value);
        request.body() = body;
        if (method == http::verb::post || method == http::verb::put || !body.empty()) {
            request.prepare_payload();
        }
        bool done = false;
        beast::error_code write_error;
        http::async_write(stream_, request, [&](beast::error_code error, std::size_t) {
            write_error = error;
            done = true;
        });
        REQUIRE(node_.run_until([&] { return done; }));
        REQUIRE_FALSE(write_error);
        return read();
    }

    Reply get(const std::string& target) { return request(http::verb::get, target); }

private:
    TestNode& node_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    beast::error_code connect_error_;
};

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str());
    REQUIRE_FALSE(document.HasParseError());
    REQUIRE(document.IsObject());
    return document;
}

std::string header(const Response& response, http::field field) {
    const auto value = response[field];
    return std::string(value.data(), value.size());
}

std::string json_string(const rapidjson::Document& document, const char* key) {
    REQUIRE(document.HasMember(key));
    REQUIRE(document[key].IsString());
    return document[key].GetString();
}

/// The short id at the end of "http://short.test/ID".
std::string id_of(const std::string& short_url) {
    return short_url.substr(short_url.rfind('/') + 1);
}

/// A JSON error answer with `status`: checks the body is {"message": "..."}.
void check_error(const Reply& reply, http::status status) {
    CHECK_FALSE(reply.error);
    CHECK_EQ(reply.response.result(), status);
    CHECK_EQ(header(reply.response, http::field::content_type), "application/json");
    const rapidjson::Document body = parse_json(reply.response.body());
    CHECK_FALSE(json_string(body, "message").empty());
}

TEST_SUITE("real") {
    TEST_CASE("create batcher: creates queued in one event-loop turn reach the replica as one "
              "batch, and each is answered") {
        TestNode node;
        node.become_leader();
        CreateBatcher batcher(node.io, node.replica);
        const LogIndex before = node.replica.node().log().last_index();
        std::vector<service::ShortenResponse> answers;
        for (int i = 0; i < 3; ++i) {
            batcher.add({"https://example.com/batched/" + std::to_string(i), ""},
                        [&](const service::ShortenResponse& r) { answers.push_back(r); });
        }
        batcher.add({"not a url", ""},
                    [&](const service::ShortenResponse& r) { answers.push_back(r); });
        // Nothing reaches the replica before the posted flush runs.
        CHECK_EQ(node.replica.node().log().last_index(), before);
        CHECK_EQ(batcher.batches(), 0U);
        REQUIRE(node.run_until([&] { return answers.size() == 4; }));
        CHECK_EQ(batcher.batches(), 1U);
        CHECK_EQ(batcher.creates(), 4U);
        CHECK_EQ(node.replica.node().log().last_index(), before + 3);
        CHECK_EQ(answers[0].status, service::ShortenStatus::Invalid);  // refused at once
        for (std::size_t i = 1; i < 4; ++i) {
            CHECK_EQ(answers[i].status, service::ShortenStatus::Created);
        }
    }

    TEST_CASE("http: a text create is 201 with Location, then its id redirects (stale and "
              "linearizable)") {
        TestNode node;
        node.become_leader();
        Client client(node);  // one keep-alive connection for every request below
        const Reply created = client.request(http::verb::post, "/", "https://example.com/a\n",
                                             {{"Content-Type", "text/plain"}});
        REQUIRE_FALSE(created.error);
        REQUIRE_EQ(created.response.result(), http::status::created);
        const rapidjson::Document body = parse_json(created.response.body());
        const std::string short_url = json_string(body, "url");
        CHECK(short_url.rfind("http://short.test/", 0) == 0);
        CHECK_EQ(json_string(body, "redirectsTo"), "https://example.com/a");
        CHECK_EQ(header(created.response, http::field::location), short_url);
        const std::string id = id_of(short_url);
        CHECK_EQ(id.size(), 7U);

        for (const std::string suffix : {"", "?consistency=stale", "?consistency=linearizable"}) {
            CAPTURE(suffix);
            const Reply found = client.get("/" + id + suffix);
            REQUIRE_FALSE(found.error);
            CHECK_EQ(found.response.result(), http::status::found);
            CHECK_EQ(header(found.response, http::field::location), "https://example.com/a");
        }
        check_error(client.get("/zzzzzzz"), http::status::not_found);
        check_error(client.get("/zzzzzzz?consistency=linearizable"), http::status::not_found);
        check_error(client.get("/" + id + "?consistency=sometimes"), http::status::bad_request);
        CHECK_EQ(parse_json(client.get("/zzzzzzz").response.body())["message"].GetString(),
                 std::string("Not found"));
    }

    TEST_CASE("http: a create without Content-Type is text; a JSON create and its retry share "
              "the id") {
        TestNode node;
        node.become_leader();
        Client client(node);
        const Reply bare = client.request(http::verb::post, "/", "http://example.com/bare");
        REQUIRE_EQ(bare.response.result(), http::status::created);

        const std::string json = R"({"url":"https://example.com/k","idempotencyKey":"key-1"})";
        const Reply first = client.request(http::verb::post, "/", json,
                                           {{"Content-Type", "application/json; charset=utf-8"}});
        const Reply again = client.request(http::verb::post, "/", json,
                                           {{"Content-Type", "application/json"}});
        REQUIRE_EQ(first.response.result(), http::status::created);
        REQUIRE_EQ(again.response.result(), http::status::created);
        const std::string url = json_string(parse_json(first.response.body()), "url");
        CHECK_EQ(json_string(parse_json(again.response.body()), "url"), url);
        CHECK_NE(json_string(parse_json(bare.response.body()), "url"), url);

        // The key may come as a header instead, with a text body.
        const Reply by_header = client.request(http::verb::post, "/", "https://example.com/h",
                                               {{"Idempotency-Key", "key-2"}});
        const Reply by_header_again = client.request(http::verb::post, "/", "https://example.com/h",
                                                     {{"Idempotency-Key", "key-2"}});
        REQUIRE_EQ(by_header.response.result(), http::status::created);
        CHECK_EQ(by_header.response.body(), by_header_again.response.body());
        CHECK_EQ(node.replica.store().size(), 3U);
    }

    TEST_CASE("http: bad input gets a JSON 4xx and the connection stays usable") {
        TestNode node;
        node.become_leader();
        struct Case {
            const char* name;
            http::verb method;
            const char* target;
            std::string body;
            const char* content_type;
            http::status want;
        };
        const Case cases[] = {
            {"not http", http::verb::post, "/", "ftp://example.com/x", "",
             http::status::bad_request},
            {"javascript", http::verb::post, "/", "javascript:alert(1)", "",
             http::status::bad_request},
            {"empty body", http::verb::post, "/", "", "", http::status::bad_request},
            {"100 KB URL", http::verb::post, "/",
             "https://example.com/" + std::string(100'000, 'a'), "", http::status::bad_request},
            {"malformed JSON", http::verb::post, "/", R"({"url": "https://x)", "application/json",
             http::status::bad_request},
            {"JSON without url", http::verb::post, "/", R"({"link":"https://x.com"})",
             "application/json", http::status::bad_request},
            {"JSON nested deep", http::verb::post, "/", std::string(60'000, '['),
             "application/json", http::status::bad_request},
            {"JSON key not a string", http::verb::post, "/",
             R"({"url":"https://x.com","idempotencyKey":5})", "application/json",
             http::status::bad_request},
            {"POST elsewhere", http::verb::post, "/healthz", "https://x.com", "",
             http::status::method_not_allowed},
            {"PUT", http::verb::put, "/", "https://x.com", "", http::status::method_not_allowed},
            {"DELETE", http::verb::delete_, "/abcdefg", "", "", http::status::method_not_allowed},
        };
        Client client(node);
        for (const Case& c : cases) {
            CAPTURE(c.name);
            std::map<std::string, std::string> headers;
            if (*c.content_type != '\0') headers["Content-Type"] = c.content_type;
            const Reply reply = client.request(c.method, c.target, c.body, headers);
            check_error(reply, c.want);
            if (c.want == http::status::method_not_allowed) {
                const std::string allow = header(reply.response, http::field::allow);
                CHECK(allow.find("GET") != std::string::npos);
                if (std::string(c.target) == "/") CHECK(allow.find("POST") != std::string::npos);
            }
        }
        CHECK_EQ(client.get("/healthz").response.result(), http::status::ok);
        CHECK_EQ(node.replica.store().size(), 0U);
    }

    TEST_CASE("http: a create that does not commit within the commit timeout is 408") {
        ReplicaConfig config = replica_config({NodeId(1)});
        config.commit_timeout = ms(300);
        TestNode node(config);
        node.become_leader();
        node.env.hold_writes = true;
        Client client(node);
        const auto sent = SteadyClock::now();
        check_error(client.request(http::verb::post, "/", "https://example.com/t"),
                    http::status::request_timeout);
        CHECK(SteadyClock::now() - sent >= milliseconds(250));
        CHECK_EQ(client.get("/healthz").response.result(), http::status::ok);  // still usable
    }

    TEST_CASE("http: a body over body_bytes_max gets 413, then the connection closes") {
        TestNode node;
        node.become_leader();
        Client client(node);
        const Reply reply = client.request(http::verb::post, "/",
                                           std::string(test_limits().body_bytes_max + 1, 'a'));
        check_error(reply, http::status::payload_too_large);
        CHECK_FALSE(reply.response.keep_alive());
        CHECK(client.read().error);  // closed
    }

    TEST_CASE("http: a 64 KB header closes the connection without an answer") {
        TestNode node;
        Client client(node);
        const std::string flood = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Flood: " +
                                  std::string(64 * 1024, 'a') + "\r\n\r\n";
        (void)client.send_raw(flood);  // may fail once the server has closed
        const Reply reply = client.read();
        CHECK(reply.error);
        // The server is fine: another client is served.
        Client other(node);
        CHECK_EQ(other.get("/healthz").response.result(), http::status::ok);
    }

    TEST_CASE("http: silent or slow-header connections are closed after header_timeout while "
              "another client is served") {
        TestNode node;
        const auto opened = SteadyClock::now();
        Client silent(node);
        Client slow(node);
        CHECK_FALSE(slow.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finished
        Client busy(node);
        for (int i = 0; i < 3; ++i) {
            CHECK_EQ(busy.get("/healthz").response.result(), http::status::ok);
        }
        CHECK(silent.read().error);
        CHECK(slow.read().error);
        const auto waited = SteadyClock::now() - opened;
        CHECK(waited >= milliseconds(150));
        CHECK(waited < milliseconds(3000));
        // The busy keep-alive connection was not affected by the others' timeouts.
        CHECK_EQ(busy.get("/healthz").response.result(), http::status::ok);
    }

    TEST_CASE("http: an idle keep-alive connection is closed after idle_timeout") {
        HttpLimits limits = test_limits();
        limits.idle_timeout = milliseconds(300);
        TestNode node(replica_config({NodeId(1)}), limits);
        Client client(node);
        CHECK_EQ(client.get("/healthz").response.result(), http::status::ok);
        const auto idle_from = SteadyClock::now();
        CHECK(client.read().error);
        CHECK(SteadyClock::now() - idle_from >= milliseconds(250));
    }

    TEST_CASE("http: pipelined requests are answered one at a time, in order") {
        TestNode node;
        node.become_leader();
        Client client(node);
        CHECK_FALSE(client.send_raw(
            "POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 21\r\n\r\nhttps://example.com/p"
            "GET /healthz HTTP/1.1\r\nHost: p\r\n\r\n"
            "GET /zzzzzzz HTTP/1.1\r\nHost: p\r\n\r\n"));
        CHECK_EQ(client.read().response.result(), http::status::created);
        CHECK_EQ(client.read().response.result(), http::status::ok);
        CHECK_EQ(client.read().response.result(), http::status::not_found);
    }

    TEST_CASE("http: malformed HTTP gets 400 and a close") {
        TestNode node;
        Client client(node);
        CHECK_FALSE(client.send_raw("GET /healthz HTTP/9.9 extra\r\n\r\n"));
        const Reply reply = client.read();
        check_error(reply, http::status::bad_request);
        CHECK(client.read().error);
    }

    TEST_CASE("http: connections over connections_max get 503 and are closed") {
        HttpLimits limits = test_limits();
        limits.connections_max = 2;
        TestNode node(replica_config({NodeId(1)}), limits);
        Client first(node);
        Client second(node);
        CHECK_EQ(second.get("/healthz").response.result(), http::status::ok);
        Client third(node);
        const Reply refused = third.read();
        if (!refused.error) {
            CHECK_EQ(refused.response.result(), http::status::service_unavailable);
        }
        CHECK(third.read().error);
        CHECK_EQ(first.get("/healthz").response.result(), http::status::ok);
    }

    TEST_CASE("http: /healthz, /, /status and /metrics") {
        TestNode node;
        node.become_leader();
        Client client(node);
        const Reply health = client.get("/healthz");
        CHECK_EQ(health.response.result(), http::status::ok);
        CHECK_EQ(json_string(parse_json(health.response.body()), "status"), "ok");
        CHECK_EQ(client.get("/").response.result(), http::status::ok);
        REQUIRE_EQ(client.request(http::verb::post, "/", "https://example.com/s").response.result(),
                   http::status::created);

        const Reply status = client.get("/status");
        REQUIRE_EQ(status.response.result(), http::status::ok);
        const rapidjson::Document body = parse_json(status.response.body());
        CHECK_EQ(body["id"].GetUint64(), 1U);
        CHECK_EQ(json_string(body, "role"), "leader");
        CHECK_GE(body["term"].GetUint64(), 1U);
        CHECK_EQ(body["leader"].GetUint64(), 1U);
        CHECK_FALSE(body.HasMember("leaderUrl"));  // no http_urls configured
        for (const char* key : {"commitIndex", "appliedIndex", "lastIndex", "urls",
                                "pendingCreates", "pendingReads", "storageWritesOutstanding"}) {
            CAPTURE(key);
            REQUIRE(body.HasMember(key));
            CHECK(body[key].IsUint64());
        }
        CHECK_EQ(body["urls"].GetUint64(), 1U);
        CHECK_EQ(body["appliedIndex"].GetUint64(), body["commitIndex"].GetUint64());
        REQUIRE(body["elections"].IsObject());
        CHECK_GE(body["elections"]["won"].GetUint64(), 1U);
        CHECK(body["elections"]["started"].IsUint64());
        CHECK(body["elections"]["preVotes"].IsUint64());
        CHECK(body["peers"].IsArray());  // a single node has no followers

        const Reply metrics = client.get("/metrics");
        REQUIRE_EQ(metrics.response.result(), http::status::ok);
        CHECK_EQ(header(metrics.response, http::field::content_type), "text/plain; version=0.0.4");
        const std::string& text = metrics.response.body();
        for (const char* name :
             {"raftlink_http_requests_total", "raftlink_http_request_duration_seconds_bucket",
              "raftlink_raft_term", "raftlink_raft_role 3", "raftlink_raft_commit_index",
              "raftlink_raft_applied_index", "raftlink_raft_elections_total", "raftlink_urls 1",
              "raftlink_fsync_duration_seconds_count", "raftlink_wal_bytes_total",
              "raftlink_http_requests_total{route=\"healthz\",code=\"200\"} 1",
              "raftlink_http_requests_total{route=\"create\",code=\"201\"} 1"}) {
            CAPTURE(name);
            CHECK(text.find(name) != std::string::npos);
        }
    }

    TEST_CASE("http: HEAD is GET without a body") {
        TestNode node;
        Client client(node);
        CHECK_FALSE(client.send_raw("HEAD /healthz HTTP/1.1\r\nHost: h\r\n\r\n"
                                    "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"));
        const Reply head = client.read_head();
        REQUIRE_FALSE(head.error);
        CHECK_EQ(head.response.result(), http::status::ok);
        CHECK_EQ(header(head.response, http::field::content_length), "15");
        CHECK(head.response.body().empty());
        // The HEAD answer had no body on the wire: the next bytes are the GET's whole answer.
        const Reply get = client.read();
        REQUIRE_FALSE(get.error);
        CHECK_EQ(get.response.body(), R"({"status":"ok"})");
    }

    TEST_CASE("http: a follower answers 409 with the leader's id and URL; no leader is 503") {
        ReplicaConfig config = replica_config({NodeId(1), NodeId(2), NodeId(3)});
        // Long timeouts: the follower must not start an election while the test runs.
        config.raft.election_timeout_min = ms(60'000);
        config.raft.election_timeout_max = ms(120'000);
        TestNode node(config, test_limits(), {{NodeId(2), "http://127.0.0.1:8002"}});
        node.run_until([] { return false; }, milliseconds(20));
        Client client(node);

        const Reply no_leader = client.request(http::verb::post, "/", "https://example.com/n");
        check_error(no_leader, http::status::service_unavailable);
        CHECK_EQ(header(no_leader.response, http::field::retry_after), "1");

        // Node 2 leads term 1: its heartbeat makes this replica follow it.
        node.replica.on_message(raft::Message{
            NodeId(2), NodeId(1), Term(1),
            raft::AppendEntries{LogIndex(0), Term(0), {}, LogIndex(0), 0}});
        node.run_until([&] { return node.replica.status().leader == NodeId(2); });

        for (const Reply& reply :
             {client.request(http::verb::post, "/", "https://example.com/f"),
              client.request(http::verb::post, "/", R"({"url":"https://example.com/j"})",
                             {{"Content-Type", "application/json"}}),
              client.get("/abcdefg?consistency=linearizable")}) {
            REQUIRE_FALSE(reply.error);
            CHECK_EQ(reply.response.result(), http::status::conflict);
            const rapidjson::Document body = parse_json(reply.response.body());
            CHECK_EQ(json_string(body, "message"), "Not a leader node");
            CHECK_EQ(body["leaderId"].GetUint64(), 2U);
            CHECK_EQ(json_string(body, "leaderUrl"), "http://127.0.0.1:8002");
        }
        // Stale reads are served by any replica.
        check_error(client.get("/abcdefg"), http::status::not_found);
        const rapidjson::Document status = parse_json(client.get("/status").response.body());
        CHECK_EQ(json_string(status, "role"), "follower");
        CHECK_EQ(status["leader"].GetUint64(), 2U);
        CHECK_EQ(json_string(status, "leaderUrl"), "http://127.0.0.1:8002");
        CHECK_EQ(status["peers"].Size(), 0U);
    }
}

}  // namespace
}  // namespace raftlink::real
