// SPDX-License-Identifier: MIT
// The Raft thesis extensions: Pre-Vote (§9.6), CheckQuorum and the leader lease (§6.2),
// ReadIndex (§6.4), and the leader's use of the follower's conflict hint (§5.3).
#include <doctest/doctest.h>

#include "tests/core/raft_test_support.h"

namespace raftlink::raft {
namespace {

using namespace test_support;

Config thesis_config(std::uint64_t id, std::initializer_list<std::uint64_t> voters) {
    Config config = make_config(id, voters);
    config.pre_vote = true;
    config.check_quorum = true;
    return config;
}

Node thesis_node(std::uint64_t id, PersistentState state = {}) {
    Node node(thesis_config(id, {1, 2, 3}), std::move(state));
    node.start();
    return node;
}

TEST_SUITE("raft") {
    TEST_CASE("node: a pre-candidate asks for the next term without changing its own [§9.6]") {
        Node node = thesis_node(1, state_with(3, 2, {1, 3}));
        expire_election(node, 0);
        CHECK_EQ(node.role(), Role::PreCandidate);
        CHECK_EQ(node.current_term(), Term(3));
        CHECK_EQ(node.voted_for(), NodeId(2));
        const Drained drained = drain(node, 0);
        CHECK_FALSE(drained.hard_state.has_value());  // nothing to persist for a pre-vote
        const auto requests = of_type<RequestVote>(drained.all());
        REQUIRE_EQ(requests.size(), 2U);
        for (const Message& request : requests) {
            CHECK_EQ(request.term, Term(4));
            CHECK(body_as<RequestVote>(request).pre_vote);
            CHECK_EQ(body_as<RequestVote>(request).last_log_index, LogIndex(2));
        }
    }

    TEST_CASE("node: a majority of pre-votes starts the real election [§9.6]") {
        Node node = thesis_node(1);
        const Nanos at = expire_election(node, 0);
        (void)drain(node, at);
        node.step(Message{NodeId(2), NodeId(1), Term(1), RequestVoteReply{true, true}}, at);
        CHECK_EQ(node.role(), Role::Candidate);
        CHECK_EQ(node.current_term(), Term(1));
        const Drained drained = drain(node, at);
        const auto requests = of_type<RequestVote>(drained.all());
        REQUIRE_EQ(requests.size(), 2U);
        CHECK_FALSE(body_as<RequestVote>(requests[0]).pre_vote);
        REQUIRE(drained.hard_state.has_value());
        CHECK_EQ(drained.hard_state->voted_for, NodeId(1));
    }

    TEST_CASE("node: pre-votes are granted only to up-to-date logs while no leader is active "
              "[§9.6]") {
        struct Case {
            std::string name;
            Nanos since_leader_contact;  // no_deadline: never heard from a leader
            std::uint64_t last_log_term;
            bool want_granted;
        };
        const Case cases[] = {
            {"no leader heard of, log up to date", no_deadline, 2, true},
            {"leader heard 10 ms ago (lease)", ms(10), 2, false},
            {"leader heard 400 ms ago", ms(400), 2, true},
            {"candidate's log is behind", no_deadline, 1, false},
        };
        for (const Case& c : cases) {
            CAPTURE(c.name);
            Node node = thesis_node(2, state_with(2, 0, {1, 2}));
            Nanos now = ms(1000);
            if (c.since_leader_contact != no_deadline) {
                node.step(append(3, 2, 2, 2, 2, {}, 2), now - c.since_leader_contact);
            }
            (void)drain(node, now);
            node.step(Message{NodeId(1), NodeId(2), Term(3),
                              RequestVote{LogIndex(2), Term(c.last_log_term), true}},
                      now);
            const Message reply = only(drain(node, now).all());
            CHECK_EQ(body_as<RequestVoteReply>(reply).vote_granted, c.want_granted);
            CHECK(body_as<RequestVoteReply>(reply).pre_vote);
            CHECK_EQ(reply.term, c.want_granted ? Term(3) : Term(2));
            CHECK_EQ(node.current_term(), Term(2));  // a pre-vote never changes the term
            CHECK_EQ(node.voted_for(), NodeId(0));
        }
    }

    TEST_CASE("node: a node cut off and rejoining does not depose a healthy leader [§9.6]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        const Term term = cluster.node(1).current_term();
        const auto isolated = [](const Message& m) {
            return m.from == NodeId(3) || m.to == NodeId(3);
        };
        // Ten election timeouts with node 3 cut off, heartbeats flowing between 1 and 2.
        for (int step = 0; step < 60; ++step) {
            cluster.set_now(cluster.now() + ms(50));
            for (const std::uint64_t id : {1U, 2U, 3U}) cluster.node(id).on_time(cluster.now());
            cluster.stabilize(isolated);
        }
        CHECK_EQ(cluster.node(3).current_term(), term);  // only pre-votes, which failed
        cluster.set_now(cluster.now() + ms(50));
        for (const std::uint64_t id : {1U, 2U, 3U}) cluster.node(id).on_time(cluster.now());
        cluster.stabilize();
        CHECK_EQ(cluster.node(1).role(), Role::Leader);
        CHECK_EQ(cluster.node(1).current_term(), term);
        CHECK_EQ(cluster.node(3).leader_id(), NodeId(1));
    }

    TEST_CASE("node: a leader that hears from no majority steps down [§6.2 CheckQuorum]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        const auto replies_lost = [](const Message& m) { return m.to == NodeId(1); };
        for (int step = 0; step < 10 && cluster.node(1).role() == Role::Leader; ++step) {
            cluster.set_now(cluster.now() + ms(50));
            cluster.node(1).on_time(cluster.now());
            cluster.stabilize(replies_lost);
        }
        CHECK_EQ(cluster.node(1).role(), Role::Follower);
        CHECK_EQ(cluster.node(1).leader_id(), NodeId(0));
    }

    TEST_CASE("node: a node in a leader's lease ignores a higher-term RequestVote [§6.2]") {
        Node node = thesis_node(2, state_with(2, 0, {1, 2}));
        node.step(append(3, 2, 2, 2, 2, {}, 2), ms(100));
        (void)drain(node, ms(100));
        node.step(Message{NodeId(1), NodeId(2), Term(5), RequestVote{LogIndex(9), Term(4)}},
                  ms(110));
        CHECK_EQ(node.current_term(), Term(2));
        CHECK(drain(node, ms(110)).all().empty());  // ignored: no reply, no term change
    }

    TEST_CASE("node: the leader skips a follower's whole conflicting term in one round trip "
              "[§5.3]") {
        // Leader (term 5): {1, 1, 4, 4, 4} plus its no-op; follower: {1, 1, 2, 2, 2, 3, 3, 3}.
        Node leader(make_config(1, {1, 2}), state_with(4, 0, {1, 1, 4, 4, 4}));
        leader.start();
        const Nanos at = elect(leader, 0);
        Node follower(make_config(2, {1, 2}), state_with(3, 0, {1, 1, 2, 2, 2, 3, 3, 3}));
        follower.start();
        int round_trips = 0;
        for (; round_trips < 10 && leader.progress().at(NodeId(2)).match_index < LogIndex(6);
             ++round_trips) {
            for (const Message& message : addressed_to(drain(leader, at).all(), 2)) {
                follower.step(message, at);
            }
            for (const Message& reply : drain(follower, at).all()) leader.step(reply, at);
        }
        CHECK_EQ(leader.progress().at(NodeId(2)).match_index, LogIndex(6));
        // The first append (prev 5/4) is rejected with the hint "term 2, from index 3"; the
        // leader has no entry of term 2, so it resends from index 3 and that append matches:
        // two round trips, where backing off one entry per rejection would take four.
        CHECK_EQ(round_trips, 2);
        CHECK_EQ(follower.log().term_at(LogIndex(5)), Term(4));
        CHECK_EQ(follower.log().last_index(), LogIndex(6));
    }

    TEST_CASE("node: a read is confirmed only once a majority answers its round [§6.4]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        Node& leader = cluster.node(1);
        const LogIndex commit = leader.commit_index();
        REQUIRE_EQ(leader.read_index(7, cluster.now()).accepted, true);
        const Drained sent = drain(leader, cluster.now());
        CHECK(sent.reads.empty());
        const auto heartbeats = of_type<AppendEntries>(sent.all());
        REQUIRE_EQ(heartbeats.size(), 2U);
        CHECK_EQ(body_as<AppendEntries>(heartbeats[0]).read_round, 1U);
        cluster.node(2).step(heartbeats[0], cluster.now());
        for (const Message& reply : drain(cluster.node(2), cluster.now()).all()) {
            leader.step(reply, cluster.now());
        }
        const Drained confirmed = drain(leader, cluster.now());
        REQUIRE_EQ(confirmed.reads.size(), 1U);
        CHECK_EQ(confirmed.reads[0], ReadState{7, commit});
    }

    TEST_CASE("node: a read waits for the new leader's first commit [§6.4]") {
        Node leader(make_config(1, {1, 2, 3}), PersistentState{});
        leader.start();
        const Nanos at = elect(leader, 0);
        REQUIRE(leader.read_index(1, at).accepted);
        Drained drained = drain(leader, at);  // the no-op goes out; no read round yet
        CHECK(drained.reads.empty());
        for (const Message& m : of_type<AppendEntries>(drained.all())) {
            CHECK_EQ(body_as<AppendEntries>(m).read_round, 0U);
        }
        leader.step(append_reply(2, 1, 1, true, 1), at);  // the no-op commits
        drained = drain(leader, at);
        CHECK(drained.reads.empty());
        const auto rounds = of_type<AppendEntries>(drained.all());
        REQUIRE_FALSE(rounds.empty());
        CHECK_EQ(body_as<AppendEntries>(rounds.back()).read_round, 1U);
        Message ack = append_reply(3, 1, 1, true, 1);
        std::get<AppendEntriesReply>(ack.body).read_round = 1;
        leader.step(ack, at);
        drained = drain(leader, at);
        REQUIRE_EQ(drained.reads.size(), 1U);
        CHECK_EQ(drained.reads[0], ReadState{1, LogIndex(1)});
    }

    TEST_CASE("node: a deposed leader never confirms a pending read [§6.4]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        Node& leader = cluster.node(1);
        REQUIRE(leader.read_index(9, cluster.now()).accepted);
        (void)drain(leader, cluster.now());
        leader.step(append(2, 1, leader.current_term().value + 1, 0, 0, {}, 0), cluster.now());
        CHECK_EQ(leader.role(), Role::Follower);
        Message late = append_reply(3, 1, leader.current_term().value, true, 1);
        std::get<AppendEntriesReply>(late.body).read_round = 1;
        leader.step(late, cluster.now());
        CHECK(drain(leader, cluster.now()).reads.empty());
        const ReadIndexResult refused = leader.read_index(10, cluster.now());
        CHECK_FALSE(refused.accepted);
        CHECK_EQ(refused.leader_hint, NodeId(2));
    }

    TEST_CASE("node: a single-node leader confirms reads at once [§6.4]") {
        Node node(make_config(1, {1}), PersistentState{});
        node.start();
        const Nanos at = expire_election(node, 0);
        (void)drain(node, at);
        REQUIRE_EQ(node.role(), Role::Leader);
        REQUIRE(node.read_index(5, at).accepted);
        const Drained drained = drain(node, at);
        REQUIRE_EQ(drained.reads.size(), 1U);
        CHECK_EQ(drained.reads[0].id, 5U);
    }
}

}  // namespace
}  // namespace raftlink::raft

namespace raftlink::raft {
namespace {

using namespace test_support;

TEST_SUITE("raft") {
    TEST_CASE("node: leadership transfer hands over to a caught-up follower at once [§3.10]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        const Term term = cluster.node(1).current_term();
        REQUIRE(cluster.node(1).transfer_leadership(NodeId(2), cluster.now()));
        // While the transfer runs, the leader takes no proposals.
        CHECK_FALSE(cluster.node(1).propose(Bytes{1}, cluster.now()).accepted);
        cluster.stabilize();
        // Node 2 campaigned without waiting for its timeout, despite the lease of node 3.
        CHECK_EQ(cluster.node(2).role(), Role::Leader);
        CHECK_EQ(cluster.node(2).current_term(), Term(term.value + 1));
        CHECK_EQ(cluster.node(1).role(), Role::Follower);
        CHECK_EQ(cluster.node(3).leader_id(), NodeId(2));
    }

    TEST_CASE("node: a transfer to a lagging follower first brings it up to date [§3.10]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        REQUIRE(cluster.node(1).propose(Bytes{7}, cluster.now()).accepted);
        const auto to_three = [](const Message& m) { return m.to == NodeId(3); };
        cluster.stabilize(to_three);  // node 3 misses the new entry
        REQUIRE(cluster.node(3).log().last_index() < cluster.node(1).log().last_index());
        REQUIRE(cluster.node(1).transfer_leadership(NodeId(3), cluster.now()));
        cluster.stabilize();
        CHECK_EQ(cluster.node(3).role(), Role::Leader);
        REQUIRE_GE(cluster.node(3).log().last_index(), LogIndex(2));
        CHECK_EQ(cluster.node(3).log().at(LogIndex(2)).data, Bytes{7});
    }

    TEST_CASE("node: a transfer the target never completes is abandoned [§3.10]") {
        Cluster cluster({1, 2, 3}, 1, true);
        cluster.elect(1);
        REQUIRE(cluster.node(1).transfer_leadership(NodeId(2), cluster.now()));
        const auto to_two = [](const Message& m) { return m.to == NodeId(2); };
        cluster.stabilize(to_two);
        CHECK_EQ(cluster.node(1).transfer_target(), NodeId(2));
        cluster.set_now(cluster.now() + ms(301));
        cluster.node(1).on_time(cluster.now());
        CHECK_EQ(cluster.node(1).transfer_target(), NodeId(0));
        CHECK(cluster.node(1).propose(Bytes{1}, cluster.now()).accepted);
    }
}

}  // namespace
}  // namespace raftlink::raft

namespace raftlink::raft {
namespace {

using namespace test_support;

TEST_SUITE("raft") {
    TEST_CASE("node: a follower that lost acknowledged entries is repaired, not stuck [§5.3]") {
        // Node 2 acknowledged index 2, then restarted from a disk that lost it: it rejects
        // the leader's heartbeats (prev 2/1) with the hint "my log ends at 1".
        Node leader(make_config(1, {1, 2, 3}), PersistentState{});
        leader.start();
        const Nanos at = elect(leader, 0);
        (void)drain(leader, at);
        leader.step(append_reply(2, 1, 1, true, 1), at);
        REQUIRE(leader.propose(Bytes{9}, at).accepted);
        (void)drain(leader, at);
        leader.step(append_reply(2, 1, 1, true, 2), at);
        REQUIRE_EQ(leader.progress().at(NodeId(2)).match_index, LogIndex(2));
        REQUIRE_EQ(leader.commit_index(), LogIndex(2));
        (void)drain(leader, at);
        leader.step(append_reply(2, 1, 1, false, 0, 2, 0), at);
        CHECK_EQ(leader.progress().at(NodeId(2)).match_index, LogIndex(1));
        const auto resent = of_type<AppendEntries>(addressed_to(drain(leader, at).all(), 2));
        REQUIRE_FALSE(resent.empty());
        const AppendEntries& body = body_as<AppendEntries>(resent.front());
        CHECK_EQ(body.prev_log_index, LogIndex(1));
        REQUIRE_EQ(body.entries.size(), 1U);
        CHECK_EQ(body.entries[0].index, LogIndex(2));
        CHECK_EQ(leader.commit_index(), LogIndex(2));  // never goes back
    }
}

}  // namespace
}  // namespace raftlink::raft
