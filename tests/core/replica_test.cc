// SPDX-License-Identifier: MIT
// Replica driven by hand through fake Clock, Transport, Storage and Observer: the service
// behaviour a client sees, without a simulator or sockets.
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/replica.h"
#include "core/service/url_validation.h"

namespace raftlink {
namespace {

struct FakeEnv final : Clock, Transport, Storage, Observer {
    Nanos time = 0;
    std::optional<Nanos> wake;
    std::vector<raft::Message> sent;
    std::deque<std::function<void()>> pending_writes;
    std::vector<WriteBatch> writes;  // every write issued, in order
    raft::PersistentState state;

    Nanos now() const override { return time; }
    void wake_at(Nanos deadline) override { wake = deadline; }
    std::int64_t wall_now_ms() const override { return 1'700'000'000'000; }
    void send(const raft::Message& message) override { sent.push_back(message); }
    raft::PersistentState load() override { return state; }
    void write(WriteBatch batch, std::function<void()> on_durable) override {
        writes.push_back(std::move(batch));
        pending_writes.push_back(std::move(on_durable));
    }
    void on_trace(NodeId, const raft::TraceLine&) override {}

    /// Completes every write (including those the completions start).
    void sync() {
        while (!pending_writes.empty()) {
            auto done = std::move(pending_writes.front());
            pending_writes.pop_front();
            done();
        }
    }
};

ReplicaConfig single_node_config() {
    ReplicaConfig config;
    config.raft.id = NodeId(1);
    config.raft.voters = {NodeId(1)};
    config.code_key = 42;
    config.commit_timeout = ms(1000);
    return config;
}

ReplicaConfig three_node_config() {
    ReplicaConfig config = single_node_config();
    config.raft.voters = {NodeId(1), NodeId(2), NodeId(3)};
    config.raft.pre_vote = false;
    config.raft.check_quorum = false;
    return config;
}

/// Makes replica 1 of three leader of term 1 with its no-op (index 1) durable and committed.
void become_leader_of_three(Replica& replica, FakeEnv& env) {
    replica.start();
    for (int i = 0; i < 10 && replica.node().role() != raft::Role::Candidate; ++i) {
        env.time = env.wake.value_or(env.time);
        replica.on_time();
    }
    REQUIRE_EQ(replica.node().role(), raft::Role::Candidate);
    env.sync();  // the term and vote are durable: the RequestVotes leave
    replica.on_message(raft::Message{NodeId(2), NodeId(1), Term(1), raft::RequestVoteReply{true}});
    REQUIRE_EQ(replica.node().role(), raft::Role::Leader);
    replica.on_message(raft::Message{NodeId(2), NodeId(1), Term(1),
                                     raft::AppendEntriesReply{true, LogIndex(1), {}, {}, 0}});
    env.sync();
    REQUIRE_EQ(replica.node().commit_index(), LogIndex(1));
}

/// A started single-node replica that has elected itself and committed its no-op.
void become_leader(Replica& replica, FakeEnv& env) {
    replica.start();
    for (int i = 0; i < 10 && replica.node().role() != raft::Role::Leader; ++i) {
        env.time = env.wake.value_or(env.time);
        replica.on_time();
        env.sync();
    }
    REQUIRE_EQ(replica.node().role(), raft::Role::Leader);
    env.sync();
}

TEST_SUITE("service") {
    TEST_CASE("replica: a create is answered only after its entry is durable and applied") {
        FakeEnv env;
        Replica replica(single_node_config(), env, env, env, env);
        become_leader(replica, env);
        std::optional<service::ShortenResponse> answer;
        replica.shorten({"https://example.com/a", ""},
                        [&](const service::ShortenResponse& r) { answer = r; });
        CHECK_FALSE(answer.has_value());  // waiting for the fsync
        env.sync();
        REQUIRE(answer.has_value());
        CHECK_EQ(answer->status, service::ShortenStatus::Created);
        CHECK_EQ(answer->record.url, "https://example.com/a");
        CHECK_EQ(answer->record.code.size(), 7U);
        CHECK_EQ(replica.resolve(answer->record.code).url, "https://example.com/a");
    }

    TEST_CASE("replica: invalid URLs are refused before anything is proposed") {
        FakeEnv env;
        Replica replica(single_node_config(), env, env, env, env);
        become_leader(replica, env);
        const LogIndex last = replica.node().log().last_index();
        for (const char* url : {"", "ftp://x", "javascript:alert(1)", "http://", "https://a b",
                                "http:/x", "https:/x", "httpx://x", "httpss://x", "http", "https",
                                "http:x", "https//x", "https://"}) {
            CAPTURE(std::string(url));
            std::optional<service::ShortenResponse> answer;
            replica.shorten({url, ""}, [&](const service::ShortenResponse& r) { answer = r; });
            REQUIRE(answer.has_value());
            CHECK_EQ(answer->status, service::ShortenStatus::Invalid);
        }
        CHECK_EQ(replica.node().log().last_index(), last);
    }

    TEST_CASE("replica: the scheme is http or https in any case") {
        FakeEnv env;
        Replica replica(single_node_config(), env, env, env, env);
        become_leader(replica, env);
        for (const char* url : {"http://a", "https://a", "HTTP://a", "HtTpS://a/b?c#d"}) {
            CAPTURE(std::string(url));
            std::optional<service::ShortenResponse> answer;
            replica.shorten({url, ""}, [&](const service::ShortenResponse& r) { answer = r; });
            CHECK_FALSE((answer.has_value() && answer->status == service::ShortenStatus::Invalid));
        }
    }

    TEST_CASE("service: a space or control byte anywhere in a URL refuses it, any other byte not") {
        // validate_url reads eight bytes at a time and the last eight whole: every length up to
        // four words, every position, the bytes at the edges of the refused ranges.
        const std::string refused = "the URL contains whitespace or control characters";
        for (std::size_t length = 1; length <= 32; ++length) {
            const std::string url = std::string("https://").substr(0, length) +
                                    std::string(length > 8 ? length - 8 : 0, 'a');
            for (std::size_t at = 0; at < length; ++at) {
                CAPTURE(length);
                CAPTURE(at);
                for (const int byte : {0x00, 0x01, 0x09, 0x1f, 0x20, 0x7f}) {
                    std::string bad = url;
                    bad[at] = static_cast<char>(byte);
                    CHECK_EQ(service::validate_url(bad), refused);
                }
                if (at < 8) continue;  // the scheme
                for (const int byte : {0x21, 0x7e, 0x80, 0xa0, 0xa1, 0xff}) {
                    std::string good = url;
                    good[at] = static_cast<char>(byte);
                    CHECK_FALSE(service::validate_url(good).has_value());
                }
            }
        }
    }

    TEST_CASE("replica: a retry with the same idempotency key returns the same short id") {
        FakeEnv env;
        Replica replica(single_node_config(), env, env, env, env);
        become_leader(replica, env);
        std::vector<service::ShortenResponse> answers;
        for (int i = 0; i < 2; ++i) {
            replica.shorten({"https://example.com/k", "key-1"},
                            [&](const service::ShortenResponse& r) { answers.push_back(r); });
            env.sync();
        }
        REQUIRE_EQ(answers.size(), 2U);
        CHECK_EQ(answers[0].record.code, answers[1].record.code);
        CHECK_FALSE(answers[0].deduplicated);
        CHECK(answers[1].deduplicated);
        CHECK_EQ(replica.store().size(), 1U);
    }

    TEST_CASE("replica: a linearizable read on the leader sees an acknowledged create [§6.4]") {
        FakeEnv env;
        Replica replica(single_node_config(), env, env, env, env);
        become_leader(replica, env);
        std::string code;
        replica.shorten({"https://example.com/r", ""},
                        [&](const service::ShortenResponse& r) { code = r.record.code; });
        env.sync();
        REQUIRE_FALSE(code.empty());
        std::optional<service::ResolveResponse> read;
        replica.resolve(code, service::ReadConsistency::Linearizable,
                        [&](const service::ResolveResponse& r) { read = r; });
        env.sync();
        REQUIRE(read.has_value());
        CHECK_EQ(read->status, service::ResolveStatus::Found);
        CHECK_EQ(read->url, "https://example.com/r");
    }

    TEST_CASE("replica: a create leaves for the followers while the previous write is still "
              "outstanding, and is answered once committed [thesis §10.2.1]") {
        FakeEnv env;
        ReplicaConfig config = three_node_config();
        Replica replica(config, env, env, env, env);
        become_leader_of_three(replica, env);
        std::vector<service::ShortenResponse> answers;
        const auto record = [&](const service::ShortenResponse& r) { answers.push_back(r); };
        env.sent.clear();
        replica.shorten({"https://example.com/1", ""}, record);
        replica.shorten({"https://example.com/2", ""}, record);
        // Two writes outstanding, and both entries already on their way to both followers.
        CHECK_EQ(env.pending_writes.size(), 2U);
        std::vector<LogIndex> sent_last;
        for (const raft::Message& message : env.sent) {
            const auto& append = std::get<raft::AppendEntries>(message.body);
            if (message.to == NodeId(2)) sent_last.push_back(append.entries.back().index);
        }
        CHECK_EQ(sent_last, (std::vector<LogIndex>{LogIndex(2), LogIndex(3)}));
        // Follower 2 acknowledges both, but the leader's own writes are not durable yet.
        replica.on_message(raft::Message{NodeId(2), NodeId(1), Term(1),
                                         raft::AppendEntriesReply{true, LogIndex(3), {}, {}, 0}});
        CHECK(answers.empty());
        env.sync();
        REQUIRE_EQ(answers.size(), 2U);
        CHECK_EQ(answers[0].status, service::ShortenStatus::Created);
        CHECK_EQ(answers[1].status, service::ShortenStatus::Created);
    }

    TEST_CASE("replica: a batch of creates is one proposal, one write and one AppendEntries "
              "per follower; invalid ones are refused at once") {
        FakeEnv env;
        Replica replica(three_node_config(), env, env, env, env);
        become_leader_of_three(replica, env);
        env.sent.clear();
        env.writes.clear();
        std::vector<service::ShortenStatus> answers(3, service::ShortenStatus::Timeout);
        std::vector<Replica::ShortenCall> calls;
        for (std::size_t i = 0; i < 3; ++i) {
            const std::string url = i == 1 ? "ftp://nope" : "https://example.com/b" + std::to_string(i);
            calls.push_back({{url, ""}, [&answers, i](const service::ShortenResponse& r) {
                                 answers[i] = r.status;
                             }});
        }
        replica.shorten(std::move(calls));
        CHECK_EQ(answers[1], service::ShortenStatus::Invalid);
        CHECK_EQ(answers[0], service::ShortenStatus::Timeout);  // not answered yet
        REQUIRE_EQ(env.writes.size(), 1U);
        CHECK_EQ(env.writes[0].entries.size(), 2U);
        REQUIRE_EQ(env.sent.size(), 2U);
        for (const raft::Message& message : env.sent) {
            CHECK_EQ(std::get<raft::AppendEntries>(message.body).entries.size(), 2U);
        }
        replica.on_message(raft::Message{NodeId(3), NodeId(1), Term(1),
                                         raft::AppendEntriesReply{true, LogIndex(3), {}, {}, 0}});
        env.sync();
        CHECK_EQ(answers[0], service::ShortenStatus::Created);
        CHECK_EQ(answers[2], service::ShortenStatus::Created);
    }

    TEST_CASE("replica: a follower answers creates and linearizable reads with the leader") {
        FakeEnv env;
        ReplicaConfig config = single_node_config();
        config.raft.voters = {NodeId(1), NodeId(2), NodeId(3)};
        Replica replica(config, env, env, env, env);
        replica.start();
        replica.on_time();
        // Node 2 is leader of term 1: its heartbeat makes this replica follow it.
        replica.on_message(raft::Message{NodeId(2), NodeId(1), Term(1),
                                         raft::AppendEntries{LogIndex(0), Term(0), {}, LogIndex(0), 0}});
        env.sync();
        std::optional<service::ShortenResponse> created;
        replica.shorten({"https://example.com/f", ""},
                        [&](const service::ShortenResponse& r) { created = r; });
        REQUIRE(created.has_value());
        CHECK_EQ(created->status, service::ShortenStatus::NotLeader);
        CHECK_EQ(created->leader_id, NodeId(2));
        std::optional<service::ResolveResponse> read;
        replica.resolve("0000000", service::ReadConsistency::Linearizable,
                        [&](const service::ResolveResponse& r) { read = r; });
        REQUIRE(read.has_value());
        CHECK_EQ(read->status, service::ResolveStatus::NotLeader);
        CHECK_EQ(read->leader_id, NodeId(2));
        CHECK_EQ(replica.resolve("0000000").status, service::ResolveStatus::NotFound);
        const ReplicaStatus status = replica.status();
        CHECK_EQ(status.leader, NodeId(2));
        CHECK_EQ(status.term, Term(1));
        CHECK_EQ(replica.transfer_leadership(), NodeId(0));  // not the leader
    }
}

}  // namespace
}  // namespace raftlink

namespace raftlink {
namespace {

TEST_SUITE("service") {
    TEST_CASE("pending creates: a create replaced at its index is answered before the new one") {
        service::PendingCreates pending;
        std::vector<service::ShortenStatus> first;
        std::vector<service::ShortenStatus> second;
        std::string created_code;
        pending.add(LogIndex(5), Term(1), ms(100),
                    [&](const service::ShortenResponse& r) { first.push_back(r.status); });
        // The same node leads again in term 3 and proposes at index 5 again.
        pending.add(LogIndex(5), Term(3), ms(200),
                    [&](const service::ShortenResponse& r) {
                        second.push_back(r.status);
                        created_code = r.record.code;
                    });
        REQUIRE_EQ(first.size(), 1U);
        CHECK_EQ(first[0], service::ShortenStatus::NotLeader);
        CHECK(second.empty());
        fsm::UrlStore store(7);
        for (std::uint64_t index = 1; index <= 5; index++) {
            store.apply(LogIndex(index), fsm::CreateUrl{"https://a.example", "", 0});
        }
        const fsm::Applied created{LogIndex(5), false};
        pending.on_applied(LogIndex(5), Term(3), store, &created);
        REQUIRE_EQ(second.size(), 1U);
        CHECK_EQ(second[0], service::ShortenStatus::Created);
        CHECK_EQ(created_code, store.record(LogIndex(5)).code);
        pending.expire(ms(1000));  // nothing left to expire
        CHECK_EQ(first.size(), 1U);
        CHECK_EQ(pending.size(), 0U);
    }

    TEST_CASE("pending creates: timeouts come in deadline order, whatever the indexes") {
        service::PendingCreates pending;
        std::vector<std::pair<std::uint64_t, service::ShortenStatus>> answers;
        const auto add = [&](std::uint64_t index, std::uint64_t term, Nanos deadline) {
            pending.add(LogIndex(index), Term(term), deadline,
                        [&answers, index](const service::ShortenResponse& r) {
                            answers.emplace_back(index, r.status);
                        });
        };
        for (std::uint64_t index = 10; index <= 15; index++) {
            add(index, 1, ms(static_cast<std::int64_t>(index) + 90));
        }
        // Leader again in term 2, it proposes at 12: the waiters at 13..15 are older.
        add(12, 2, ms(200));
        fsm::UrlStore store(7);
        pending.on_applied(LogIndex(10), Term(2), store, nullptr);  // another leader's no-op
        CHECK_EQ(pending.size(), 5U);
        CHECK_EQ(pending.next_deadline(), ms(101));
        pending.expire(ms(103));
        CHECK_EQ(pending.next_deadline(), ms(104));
        pending.expire(ms(1000));
        CHECK_EQ(pending.size(), 0U);
        CHECK_EQ(pending.next_deadline(), std::numeric_limits<Nanos>::max());
        using S = service::ShortenStatus;
        const std::vector<std::pair<std::uint64_t, S>> expected = {
            {12, S::NotLeader}, {10, S::NotLeader}, {11, S::Timeout}, {13, S::Timeout},
            {14, S::Timeout},   {15, S::Timeout},   {12, S::Timeout}};
        CHECK_EQ(answers, expected);
    }

    TEST_CASE("pending creates: a create that waits long keeps its place behind answered ones") {
        service::PendingCreates pending;
        std::vector<std::uint64_t> answered;
        const auto add = [&](std::uint64_t index, Nanos deadline) {
            pending.add(LogIndex(index), Term(1), deadline,
                        [&answered, index](const service::ShortenResponse&) {
                            answered.push_back(index);
                        });
        };
        add(1, ms(100));
        fsm::UrlStore store(7);
        for (std::uint64_t index = 2; index <= 300; index++) {
            add(index, ms(100 + static_cast<std::int64_t>(index)));
            pending.on_applied(LogIndex(index), Term(2), store, nullptr);
            CHECK_EQ(pending.size(), 1U);
        }
        CHECK_EQ(pending.next_deadline(), ms(100));
        // A client answered by a timeout proposes again from its callback.
        pending.add(LogIndex(301), Term(1), ms(500), [&](const service::ShortenResponse&) {
            answered.push_back(301);
            add(302, ms(600));
        });
        pending.expire(ms(500));
        CHECK_EQ(pending.size(), 1U);
        CHECK_EQ(pending.next_deadline(), ms(600));
        pending.on_applied(LogIndex(302), Term(2), store, nullptr);
        CHECK_EQ(pending.size(), 0U);
        REQUIRE_EQ(answered.size(), 302U);
        CHECK_EQ(answered[298], 300U);
        CHECK_EQ(answered[299], 1U);
        CHECK_EQ(answered[300], 301U);
        CHECK_EQ(answered[301], 302U);
    }
}

}  // namespace
}  // namespace raftlink
