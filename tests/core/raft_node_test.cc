// SPDX-License-Identifier: MIT
// raft::Node against the rules of Figure 2 of the Raft paper, one test per rule: votes
// (§5.2, §5.4.1), elections (§5.2), log replication and conflicts (§5.3), the commit rule and
// Figure 8 (§5.4.2), heartbeats, persist-before-reply, and seeded determinism. Each test drives
// one node by hand (value in, value out) and inspects its Readies.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "core/raft/node.h"
#include "tests/core/raft_test_support.h"

namespace raftlink::raft {
namespace {

using namespace test_support;

constexpr Nanos heartbeat = ms(50);

/// A follower (node 1 of {1, 2, 3}) recovered from `state`, with its election timer armed at 0.
Node follower(PersistentState state) {
    Node node = make_node(1, {1, 2, 3}, std::move(state));
    node.on_time(0);
    (void)drain(node, 0);
    return node;
}

/// Runs `action` in a child process and returns true if it returned normally (did not abort).
bool runs_without_aborting(const std::function<void()>& action) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Let an assertion's abort kill the child instead of doctest's crash handler.
        std::signal(SIGABRT, SIG_DFL);
        action();
        _exit(0);
    }
    int status = 0;
    REQUIRE_EQ(waitpid(child, &status, 0), child);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Runs the node's next deadline (in these tests a leader's heartbeat tick): its time and output.
std::pair<Nanos, Drained> run_next_tick(Node& node) {
    const Nanos now = node.next_deadline();
    node.on_time(now);
    return {now, drain(node, now)};
}

/// Node 1 of {1, 2, 3} leading, its no-op committed, entry 2 sent and not acknowledged yet.
Node leader_with_unacknowledged_entry() {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);
    (void)commit_noop(node, at);
    REQUIRE(node.propose(Bytes{7}, at + 2).accepted);
    (void)drain(node, at + 2);
    return node;
}

/// The AppendEntries in `sent` to `peer`: how many carry entries, how many are heartbeats.
std::pair<std::size_t, std::size_t> appends_to(const Drained& sent, std::uint64_t peer) {
    std::size_t with_entries = 0;
    std::size_t heartbeats = 0;
    for (const Message& message : sent.messages) {
        if (message.to != NodeId(peer)) continue;
        ++(body_as<AppendEntries>(message).entries.empty() ? heartbeats : with_entries);
    }
    return {with_entries, heartbeats};
}

TEST_SUITE("raft") {

// ---------------------------------------------------------------------------------------------
// Votes (§5.2, §5.4.1).

TEST_CASE("node: grants at most one vote per term [§5.2]") {
    Node node = make_node(1, {1, 2, 3, 4, 5});
    node.on_time(0);

    node.step(vote_request(2, 1, 1, 0, 0), ms(1));
    Drained first = drain(node, ms(1));
    CHECK(body_as<RequestVoteReply>(only(first.messages)).vote_granted);
    CHECK_EQ(node.voted_for(), NodeId(2));

    node.step(vote_request(3, 1, 1, 0, 0), ms(2));
    Drained second = drain(node, ms(2));
    const Message reply = only(second.messages);
    CHECK_EQ(reply.to, NodeId(3));
    CHECK_EQ(reply.term, Term(1));
    CHECK_FALSE(body_as<RequestVoteReply>(reply).vote_granted);
    CHECK_EQ(node.voted_for(), NodeId(2));
    CHECK_FALSE(second.hard_state.has_value());
}

TEST_CASE("node: re-grants its vote to the same candidate on a duplicate request [§5.2]") {
    Node node = make_node(1, {1, 2, 3});
    node.on_time(0);
    node.step(vote_request(2, 1, 1, 0, 0), ms(1));
    CHECK(body_as<RequestVoteReply>(only(drain(node, ms(1)).messages)).vote_granted);

    node.step(vote_request(2, 1, 1, 0, 0), ms(2));
    const Drained again = drain(node, ms(2));
    CHECK(body_as<RequestVoteReply>(only(again.messages)).vote_granted);
    CHECK_EQ(node.voted_for(), NodeId(2));
    CHECK_FALSE(again.hard_state.has_value());  // nothing new to persist
}

TEST_CASE("node: denies a stale-term RequestVote and replies with its higher term [§5.1, §5.2]") {
    Node node = follower(state_with(3, 0, {1, 3}));
    node.step(vote_request(2, 1, 2, 9, 3), ms(1));
    const Drained drained = drain(node, ms(1));
    const Message reply = only(drained.messages);
    CHECK_EQ(reply.term, Term(3));
    CHECK_FALSE(body_as<RequestVoteReply>(reply).vote_granted);
    CHECK_EQ(node.current_term(), Term(3));
    CHECK_EQ(node.voted_for(), no_node);
    CHECK_FALSE(drained.hard_state.has_value());
}

TEST_CASE("node: a higher-term RequestVote makes the node adopt the term and forget its vote "
          "[§5.1, §5.2]") {
    Node node = follower(state_with(2, 3, {1, 2}));
    CHECK_EQ(node.voted_for(), NodeId(3));
    node.step(vote_request(2, 1, 3, 2, 2), ms(1));
    const Drained drained = drain(node, ms(1));
    CHECK_EQ(node.current_term(), Term(3));
    CHECK_EQ(node.voted_for(), NodeId(2));
    CHECK(body_as<RequestVoteReply>(only(drained.messages)).vote_granted);
    REQUIRE(drained.hard_state.has_value());
    CHECK_EQ(*drained.hard_state, HardState{Term(3), NodeId(2)});
}

TEST_CASE("node: grants a vote only to a candidate whose log is at least as up-to-date "
          "[§5.4.1]") {
    // The voter's log is {1, 1, 2}: last index 3, last term 2. Every request has a higher
    // term (3), so the voter adopts the term whatever it answers.
    struct Case {
        std::string name;
        std::uint64_t last_log_index;
        std::uint64_t last_log_term;
        bool want_granted;
    };
    const Case cases[] = {
        {"same last term, same length", 3, 2, true},
        {"same last term, longer", 5, 2, true},
        {"same last term, shorter", 2, 2, false},
        {"lower last term, longer", 10, 1, false},
        {"higher last term, shorter", 1, 3, true},
        {"empty log", 0, 0, false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Node node = follower(state_with(2, 0, {1, 1, 2}));
        node.step(vote_request(2, 1, 3, c.last_log_index, c.last_log_term), ms(1));
        const Drained drained = drain(node, ms(1));
        const Message reply = only(drained.messages);
        CHECK_EQ(body_as<RequestVoteReply>(reply).vote_granted, c.want_granted);
        CHECK_EQ(reply.term, Term(3));
        CHECK_EQ(node.current_term(), Term(3));
        CHECK_EQ(node.voted_for(), c.want_granted ? NodeId(2) : no_node);
        CHECK_EQ(node.role(), Role::Follower);
    }
}

TEST_CASE("node: the vote reply leaves only after the vote is persisted [§5.1, Figure 2]") {
    Node node = make_node(1, {1, 2, 3});
    node.on_time(0);
    node.step(vote_request(3, 1, 1, 0, 0), ms(1));
    REQUIRE(node.has_ready());
    const Ready ready = node.ready();
    CHECK(ready.messages.empty());
    REQUIRE(ready.hard_state.has_value());
    CHECK_EQ(*ready.hard_state, HardState{Term(1), NodeId(3)});
    CHECK(ready.needs_persist());
    CHECK_FALSE(node.has_ready());  // one Ready in hand at a time
    node.advance(ready, ms(1));
    CHECK_FALSE(node.has_ready());  // the reply waits for the write
    node.on_persisted(ready.write_id, ms(2));
    REQUIRE(node.has_ready());
    const Ready released = node.ready();
    CHECK_FALSE(released.needs_persist());
    const Message reply = only(released.messages);
    CHECK_EQ(reply.to, NodeId(3));
    CHECK(body_as<RequestVoteReply>(reply).vote_granted);
    node.advance(released, ms(2));
}

TEST_CASE("node: granting a vote resets the election timer, denying one does not [§5.2]") {
    Node node = follower(state_with(1, 0, {}));
    const Nanos timeout = node.next_deadline();  // armed at 0
    const Nanos at = timeout - ms(1);
    node.step(vote_request(2, 1, 1, 0, 0), at);  // same term 1, granted
    (void)drain(node, at);
    CHECK_EQ(node.voted_for(), NodeId(2));
    CHECK_EQ(node.next_deadline(), at + timeout);

    node.step(vote_request(3, 1, 1, 0, 0), at + ms(5));  // already voted: denied
    (void)drain(node, at + ms(5));
    CHECK_EQ(node.next_deadline(), at + timeout);
}

TEST_CASE("node: drops messages from unknown senders and messages addressed elsewhere") {
    Node node = make_node(1, {1, 2, 3});
    node.on_time(0);
    node.step(vote_request(9, 1, 5, 0, 0), ms(1));
    node.step(vote_request(2, 3, 5, 0, 0), ms(1));
    node.step(vote_request(1, 1, 5, 0, 0), ms(1));
    CHECK_EQ(node.current_term(), Term(0));
    CHECK_FALSE(node.has_ready());
}

TEST_CASE("node: knows its voters by id, ids of 64 and above too") {
    Node node = make_node(1, {1000, 64, 1, 63});
    node.on_time(0);
    for (const std::uint64_t unknown : {0U, 2U, 62U, 65U, 128U, 999U, 1001U}) {
        node.step(vote_request(unknown, 1, 5, 0, 0), ms(1));
    }
    CHECK_EQ(node.current_term(), Term(0));
    CHECK_FALSE(node.has_ready());
    std::uint64_t term = 0;
    for (const std::uint64_t voter : {63U, 64U, 1000U}) {
        CAPTURE(voter);
        node.step(vote_request(voter, 1, ++term, 0, 0), ms(1));
        CHECK_EQ(node.current_term(), Term(term));
        CHECK_EQ(node.voted_for(), NodeId(voter));
    }
}

// ---------------------------------------------------------------------------------------------
// Elections (§5.2).

TEST_CASE("node: the first on_time arms an election timeout drawn in [min, max] [§5.2]") {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        Node node = make_node(1, {1, 2, 3}, {}, seed);
        CHECK_EQ(node.next_deadline(), no_deadline);
        node.on_time(ms(10));
        const Nanos deadline = node.next_deadline();
        CHECK_GE(deadline, ms(10) + ms(150));
        CHECK_LE(deadline, ms(10) + ms(300));
        node.on_time(deadline - 1);
        CHECK_EQ(node.role(), Role::Follower);
        CHECK_EQ(node.next_deadline(), deadline);
    }
}

TEST_CASE("node: an election timeout makes a follower a candidate of term + 1 that votes for "
          "itself and asks every peer [§5.2]") {
    Node node = make_node(1, {1, 2, 3}, state_with(4, 0, {1, 2, 4}));
    const Nanos at = expire_election(node, 0);
    CHECK_EQ(node.role(), Role::Candidate);
    CHECK_EQ(node.current_term(), Term(5));
    CHECK_EQ(node.voted_for(), NodeId(1));
    // A new election timeout starts with the election.
    CHECK_GE(node.next_deadline(), at + ms(150));
    CHECK_LE(node.next_deadline(), at + ms(300));

    const Ready ready = node.ready();
    REQUIRE(ready.hard_state.has_value());
    CHECK_EQ(*ready.hard_state, HardState{Term(5), NodeId(1)});
    CHECK(ready.messages.empty());  // RequestVote waits for the term and vote to be durable
    node.advance(ready, at);
    node.on_persisted(ready.write_id, at);
    const Ready released = node.ready();
    REQUIRE_EQ(released.messages.size(), 2U);
    std::set<std::uint64_t> asked;
    for (const Message& message : released.messages) {
        const RequestVote& request = body_as<RequestVote>(message);
        CHECK_EQ(message.from, NodeId(1));
        CHECK_EQ(message.term, Term(5));
        CHECK_EQ(request.last_log_index, LogIndex(3));
        CHECK_EQ(request.last_log_term, Term(4));
        asked.insert(message.to.value);
    }
    CHECK_EQ(asked, std::set<std::uint64_t>{2, 3});
    node.advance(released, at);
}

TEST_CASE("node: a candidate becomes leader once a majority, itself included, granted [§5.2]") {
    Node node = make_node(1, {1, 2, 3, 4, 5});
    const Nanos at = expire_election(node, 0);
    (void)drain(node, at);
    REQUIRE_EQ(node.current_term(), Term(1));

    node.step(vote_reply(2, 1, 1, true), at + 1);
    CHECK_EQ(node.role(), Role::Candidate);
    node.step(vote_reply(2, 1, 1, true), at + 2);  // a duplicate counts once
    CHECK_EQ(node.role(), Role::Candidate);
    node.step(vote_reply(3, 1, 1, false), at + 3);  // a denial does not count
    CHECK_EQ(node.role(), Role::Candidate);
    node.step(vote_reply(4, 1, 1, true), at + 4);
    CHECK_EQ(node.role(), Role::Leader);
    CHECK_EQ(node.leader_id(), NodeId(1));
    CHECK_EQ(node.current_term(), Term(1));
}

TEST_CASE("node: a new leader appends a no-op of its term and sends AppendEntries at once "
          "[§5.2, §8]") {
    Node node = make_node(1, {1, 2, 3}, state_with(1, 0, {1, 1}));
    const Nanos at = elect(node, 0);
    CHECK_EQ(node.current_term(), Term(2));
    CHECK_EQ(node.log().last_index(), LogIndex(3));
    CHECK_EQ(node.next_deadline(), at + heartbeat);

    const Ready ready = node.ready();
    const Entry noop{Term(2), LogIndex(3), Bytes{}};
    CHECK_EQ(ready.entries, std::vector<Entry>{noop});
    REQUIRE_EQ(ready.messages.size(), 2U);  // before the leader's own write is durable
    std::set<std::uint64_t> sent_to;
    for (const Message& message : ready.messages) {
        const AppendEntries& append_entries = body_as<AppendEntries>(message);
        CHECK_EQ(message.term, Term(2));
        CHECK_EQ(append_entries.prev_log_index, LogIndex(2));
        CHECK_EQ(append_entries.prev_log_term, Term(1));
        CHECK_EQ(append_entries.entries, std::vector<Entry>{noop});
        CHECK_EQ(append_entries.leader_commit, LogIndex(0));
        sent_to.insert(message.to.value);
    }
    CHECK_EQ(sent_to, std::set<std::uint64_t>{2, 3});
    node.advance(ready, at);
}

TEST_CASE("node: vote replies of an earlier term or after the election are ignored [§5.2]") {
    Node node = make_node(1, {1, 2, 3, 4, 5}, state_with(1, 0, {}));
    const Nanos at = expire_election(node, 0);
    (void)drain(node, at);
    REQUIRE_EQ(node.current_term(), Term(2));

    // Grants from the term-1 election (replies that were delayed) do not count.
    node.step(vote_reply(2, 1, 1, true), at + 1);
    node.step(vote_reply(3, 1, 1, true), at + 2);
    node.step(vote_reply(4, 1, 1, true), at + 3);
    CHECK_EQ(node.role(), Role::Candidate);

    node.step(vote_reply(2, 1, 2, true), at + 4);
    node.step(vote_reply(3, 1, 2, true), at + 5);
    REQUIRE_EQ(node.role(), Role::Leader);
    (void)drain(node, at + 5);
    const LogIndex last = node.log().last_index();

    // A late grant changes nothing: no second no-op, nothing to send.
    node.step(vote_reply(5, 1, 2, true), at + 6);
    CHECK_EQ(node.role(), Role::Leader);
    CHECK_EQ(node.log().last_index(), last);
    CHECK_FALSE(node.has_ready());
}

TEST_CASE("node: votes from an earlier election do not count toward a later one [§5.2]") {
    Node node = make_node(1, {1, 2, 3, 4, 5});
    Nanos at = expire_election(node, 0);
    (void)drain(node, at);
    node.step(vote_reply(2, 1, 1, true), at + 1);
    CHECK_EQ(node.role(), Role::Candidate);

    // Split vote: the timer fires again and a new election starts in term 2.
    at = node.next_deadline();
    node.on_time(at);
    CHECK_EQ(node.role(), Role::Candidate);
    CHECK_EQ(node.current_term(), Term(2));
    (void)drain(node, at);

    node.step(vote_reply(3, 1, 2, true), at + 1);
    CHECK_EQ(node.role(), Role::Candidate);  // {1, 3} of 5, node 2's vote was for term 1
    node.step(vote_reply(4, 1, 2, true), at + 2);
    CHECK_EQ(node.role(), Role::Leader);
}

TEST_CASE("node: a candidate that receives AppendEntries of its term becomes follower [§5.2]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = expire_election(node, 0);
    (void)drain(node, at);
    REQUIRE_EQ(node.role(), Role::Candidate);

    node.step(append(2, 1, 1, 0, 0, {}, 0), at + 1);
    CHECK_EQ(node.role(), Role::Follower);
    CHECK_EQ(node.current_term(), Term(1));
    CHECK_EQ(node.leader_id(), NodeId(2));
    CHECK_EQ(node.voted_for(), NodeId(1));  // its own vote of this term stands
    const Message reply = only(drain(node, at + 1).messages);
    CHECK(body_as<AppendEntriesReply>(reply).success);
}

TEST_CASE("node: a candidate rejects AppendEntries of an older term and stays candidate [§5.1]") {
    Node node = make_node(1, {1, 2, 3}, state_with(3, 0, {}));
    const Nanos at = expire_election(node, 0);
    (void)drain(node, at);
    node.step(append(2, 1, 3, 0, 0, {}, 0), at + 1);
    CHECK_EQ(node.role(), Role::Candidate);
    CHECK_EQ(node.current_term(), Term(4));
    const Message reply = only(drain(node, at + 1).messages);
    CHECK_EQ(reply.term, Term(4));
    CHECK_FALSE(body_as<AppendEntriesReply>(reply).success);
}

TEST_CASE("node: a one-node cluster elects itself and commits its no-op [§5.2]") {
    Node node = make_node(1, {1});
    const Nanos at = expire_election(node, 0);
    CHECK_EQ(node.role(), Role::Leader);
    CHECK_EQ(node.current_term(), Term(1));
    const Drained drained = drain(node, at);
    CHECK(drained.all().empty());
    CHECK_EQ(node.commit_index(), LogIndex(1));
    CHECK_EQ(drained.committed, std::vector<Entry>{Entry{Term(1), LogIndex(1), Bytes{}}});

    const ProposeResult result = node.propose(Bytes{7}, at + 1);
    CHECK(result.accepted);
    CHECK_EQ(result.index, LogIndex(2));
    const Drained applied = drain(node, at + 1);
    CHECK_EQ(node.commit_index(), LogIndex(2));
    CHECK_EQ(applied.committed, std::vector<Entry>{Entry{Term(1), LogIndex(2), Bytes{7}}});
}

TEST_CASE("node: a leader steps down when a reply carries a higher term [§5.1]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);
    (void)drain(node, at);
    node.step(append_reply(2, 1, 5, false, 0, 0), at + 1);
    CHECK_EQ(node.role(), Role::Follower);
    CHECK_EQ(node.current_term(), Term(5));
    CHECK_EQ(node.voted_for(), no_node);
    CHECK_EQ(node.leader_id(), no_node);
    CHECK(node.progress().empty());
    CHECK_GE(node.next_deadline(), at + 1 + ms(150));
    CHECK_LE(node.next_deadline(), at + 1 + ms(300));
}

// ---------------------------------------------------------------------------------------------
// Log replication (§5.3).

TEST_CASE("node: a follower rejects AppendEntries whose previous entry does not match, with a "
          "retry hint [§5.3]") {
    // The follower's log is {1, 1, 2}; the leader is node 2 of term 3.
    struct Case {
        std::string name;
        std::uint64_t prev_log_index;
        std::uint64_t prev_log_term;
        std::uint64_t want_retry_index;
        std::uint64_t want_conflict_term;
    };
    // The hint names the follower's conflicting term and its first index, so that the leader
    // can skip the whole term in one round trip.
    const Case cases[] = {
        {"last entry has another term", 3, 3, 3, 2},
        {"middle entry has another term", 2, 2, 1, 1},
        {"log too short by one", 4, 3, 4, 0},
        {"log far too short", 9, 3, 4, 0},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Node node = follower(state_with(2, 0, {1, 1, 2}));
        node.step(append(2, 1, 3, c.prev_log_index, c.prev_log_term,
                         {entry(3, c.prev_log_index + 1)}, 1),
                  ms(1));
        const Drained drained = drain(node, ms(1));
        const Message reply = only(drained.messages);
        const AppendEntriesReply& body = body_as<AppendEntriesReply>(reply);
        CHECK_FALSE(body.success);
        CHECK_EQ(body.retry_index, LogIndex(c.want_retry_index));
        CHECK_EQ(body.conflict_term, Term(c.want_conflict_term));
        CHECK_EQ(reply.term, Term(3));
        CHECK_EQ(node.log().last_index(), LogIndex(3));
        CHECK_EQ(node.log().last_term(), Term(2));
        CHECK(drained.persisted.empty());
        CHECK_EQ(node.commit_index(), LogIndex(0));
        CHECK_EQ(node.leader_id(), NodeId(2));
    }
}

TEST_CASE("node: a conflicting suffix is truncated and replaced by the leader's entries [§5.3]") {
    struct Case {
        std::string name;
        std::vector<Entry> from_leader;
        std::vector<std::uint64_t> want_terms;
    };
    const Case cases[] = {
        {"same length", {entry(3, 3), entry(3, 4)}, {1, 1, 3, 3}},
        {"shorter than the old suffix", {entry(3, 3)}, {1, 1, 3}},
        {"longer than the old suffix", {entry(3, 3), entry(3, 4), entry(3, 5)}, {1, 1, 3, 3, 3}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Node node = follower(state_with(2, 0, {1, 1, 2, 2}));
        node.step(append(2, 1, 3, 2, 1, c.from_leader, 0), ms(1));
        const Drained drained = drain(node, ms(1));
        std::vector<std::uint64_t> terms;
        for (std::uint64_t i = 1; i <= node.log().last_index().value; ++i) {
            terms.push_back(node.log().term_at(LogIndex(i)).value);
        }
        CHECK_EQ(terms, c.want_terms);
        CHECK_EQ(drained.persisted, c.from_leader);  // storage rewrites from index 3
        CHECK_EQ(node.log().stable_index(), node.log().last_index());
        const AppendEntriesReply& reply =
            body_as<AppendEntriesReply>(only(drained.messages));
        CHECK(reply.success);
        CHECK_EQ(reply.match_index, LogIndex(2 + c.from_leader.size()));
    }
}

TEST_CASE("node: a duplicated or reordered older AppendEntries does not truncate matching "
          "entries [§5.3]") {
    Node node = follower({});
    const Message first = append(2, 1, 1, 0, 0, {entry(1, 1), entry(1, 2)}, 0);
    const Message second = append(2, 1, 1, 2, 1, {entry(1, 3)}, 0);
    node.step(first, ms(1));
    node.step(second, ms(2));
    (void)drain(node, ms(2));
    REQUIRE_EQ(node.log().last_index(), LogIndex(3));

    struct Case {
        std::string name;
        Message message;
        std::uint64_t want_match_index;
    };
    const Case cases[] = {
        {"the first append again", first, 2},
        {"the second append again", second, 3},
        {"an older overlapping append", append(2, 1, 1, 1, 1, {entry(1, 2)}, 0), 2},
        {"a heartbeat naming an older prefix", append(2, 1, 1, 1, 1, {}, 0), 1},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        node.step(c.message, ms(3));
        const Drained drained = drain(node, ms(3));
        CHECK_EQ(node.log().last_index(), LogIndex(3));
        CHECK_EQ(node.log().truncation_count(), 0U);
        CHECK(drained.persisted.empty());
        const AppendEntriesReply& reply =
            body_as<AppendEntriesReply>(only(drained.messages));
        CHECK(reply.success);
        CHECK_EQ(reply.match_index, LogIndex(c.want_match_index));
    }
}

TEST_CASE("node: a follower's commit index is min(leader_commit, index of last new entry) "
          "[§5.3]") {
    struct Case {
        std::string name;
        Message message;
        std::uint64_t want_commit;
    };
    // The follower's log is {1, 1, 1}; the leader is node 2 of term 1.
    const Case cases[] = {
        {"leader commit below the last new entry",
         append(2, 1, 1, 3, 1, {entry(1, 4), entry(1, 5)}, 4), 4},
        {"leader commit above the last new entry", append(2, 1, 1, 3, 1, {entry(1, 4)}, 9), 4},
        {"heartbeat naming a prefix", append(2, 1, 1, 1, 1, {}, 3), 1},
        {"heartbeat naming the whole log", append(2, 1, 1, 3, 1, {}, 3), 3},
        {"nothing committed yet", append(2, 1, 1, 3, 1, {entry(1, 4)}, 0), 0},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Node node = follower(state_with(1, 0, {1, 1, 1}));
        node.step(c.message, ms(1));
        const Drained drained = drain(node, ms(1));
        CHECK_EQ(node.commit_index(), LogIndex(c.want_commit));
        CHECK_EQ(drained.committed.size(), c.want_commit);
        CHECK_EQ(node.applied_index(), LogIndex(c.want_commit));
    }
}

TEST_CASE("node: a follower's commit index never decreases [§5.3]") {
    Node node = follower(state_with(1, 0, {1, 1, 1}));
    node.step(append(2, 1, 1, 3, 1, {}, 3), ms(1));
    (void)drain(node, ms(1));
    REQUIRE_EQ(node.commit_index(), LogIndex(3));
    node.step(append(2, 1, 1, 3, 1, {}, 1), ms(2));
    const Drained drained = drain(node, ms(2));
    CHECK_EQ(node.commit_index(), LogIndex(3));
    CHECK(drained.committed.empty());
}

TEST_CASE("node: the success reply carries match_index and leaves only after the entries are "
          "persisted [§5.3, Figure 2]") {
    Node node = follower({});
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1), entry(1, 2)}, 1), ms(1));
    const Ready ready = node.ready();
    CHECK_EQ(ready.entries, std::vector<Entry>{entry(1, 1), entry(1, 2)});
    REQUIRE(ready.hard_state.has_value());
    CHECK_EQ(*ready.hard_state, HardState{Term(1), no_node});
    CHECK(ready.messages.empty());
    // Committed entries are applied at once: committed means durable on a majority (§5.4).
    CHECK_EQ(std::vector<Entry>(ready.committed_entries.begin(), ready.committed_entries.end()),
             std::vector<Entry>{entry(1, 1)});
    CHECK_EQ(node.log().stable_index(), LogIndex(0));
    node.advance(ready, ms(1));
    CHECK_EQ(node.applied_index(), LogIndex(1));
    CHECK_FALSE(node.has_ready());  // the acknowledgement waits for the write
    node.on_persisted(ready.write_id, ms(2));
    CHECK_EQ(node.log().stable_index(), LogIndex(2));
    const Ready released = node.ready();
    const Message reply = only(released.messages);
    CHECK_EQ(reply.to, NodeId(2));
    CHECK_EQ(reply.term, Term(1));
    const AppendEntriesReply& body = body_as<AppendEntriesReply>(reply);
    CHECK(body.success);
    CHECK_EQ(body.match_index, LogIndex(2));
    node.advance(released, ms(2));
}

TEST_CASE("node: a stale-term AppendEntries is rejected with the higher term and does not reset "
          "the election timer [§5.1, §5.3]") {
    Node node = follower(state_with(3, 0, {1}));
    const Nanos deadline = node.next_deadline();
    node.step(append(2, 1, 2, 1, 1, {entry(2, 2)}, 1), ms(100));
    const Drained drained = drain(node, ms(100));
    const Message reply = only(drained.messages);
    CHECK_EQ(reply.term, Term(3));
    CHECK_FALSE(body_as<AppendEntriesReply>(reply).success);
    CHECK_EQ(node.log().last_index(), LogIndex(1));
    CHECK_EQ(node.leader_id(), no_node);
    CHECK_EQ(node.next_deadline(), deadline);
}

// ---------------------------------------------------------------------------------------------
// Commitment (§5.4.2).

TEST_CASE("node: a proposal is replicated at once, without waiting for a heartbeat [§5.3]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);
    (void)commit_noop(node, at);

    const ProposeResult result = node.propose(Bytes{42}, at + 2);
    CHECK(result.accepted);
    CHECK_EQ(result.index, LogIndex(2));
    CHECK_EQ(result.term, Term(1));
    REQUIRE(node.has_ready());
    const Ready ready = node.ready();
    const Entry proposed{Term(1), LogIndex(2), Bytes{42}};
    CHECK_EQ(ready.entries, std::vector<Entry>{proposed});
    REQUIRE_EQ(ready.messages.size(), 2U);
    std::set<std::uint64_t> sent_to;
    for (const Message& message : ready.messages) {
        const AppendEntries& body = body_as<AppendEntries>(message);
        CHECK_EQ(body.prev_log_index, LogIndex(1));
        CHECK_EQ(body.prev_log_term, Term(1));
        CHECK_EQ(body.entries, std::vector<Entry>{proposed});
        CHECK_EQ(body.leader_commit, LogIndex(1));
        sent_to.insert(message.to.value);
    }
    CHECK_EQ(sent_to, std::set<std::uint64_t>{2, 3});
    node.advance(ready, at + 2);
}

/// `message` (an AppendEntries) marked as a commit notice.
Message as_commit_notice(Message message) {
    std::get<AppendEntries>(message.body).commit_notice = true;
    return message;
}

TEST_CASE("node: a commit goes to followers at once, in commit notices; heartbeats are not "
          "notices") {
    Node node = leader_with_unacknowledged_entry();
    const Nanos at = node.next_deadline() - 2;  // before the next heartbeat tick
    // Node 2 acknowledges entry 2: with the leader's own durable copy, a majority.
    node.step(append_reply(2, 1, 1, true, 2), at);
    REQUIRE_EQ(node.commit_index(), LogIndex(2));
    const Drained committed = drain(node, at);
    const Message notice = only(committed.messages);
    CHECK_EQ(notice.to, NodeId(2));
    const AppendEntries& body = body_as<AppendEntries>(notice);
    CHECK(body.commit_notice);
    CHECK(body.entries.empty());
    CHECK_EQ(body.prev_log_index, LogIndex(2));
    CHECK_EQ(body.leader_commit, LogIndex(2));
    // Node 3 acknowledges later: it learns the commit at once too.
    node.step(append_reply(3, 1, 1, true, 2), at + 1);
    const Message later = only(drain(node, at + 1).messages);
    CHECK_EQ(later.to, NodeId(3));
    CHECK(body_as<AppendEntries>(later).commit_notice);
    CHECK_EQ(body_as<AppendEntries>(later).leader_commit, LogIndex(2));
    // The periodic heartbeats are answered: they are never commit notices.
    const Drained tick = run_next_tick(node).second;
    REQUIRE_EQ(tick.messages.size(), 2U);
    for (const Message& heartbeat : tick.messages) {
        CHECK_FALSE(body_as<AppendEntries>(heartbeat).commit_notice);
    }
}

TEST_CASE("node: a follower takes a commit notice's commit index and answers the notice only "
          "when it rejects it") {
    SUBCASE("accepted: committed, no reply") {
        Node node = follower(state_with(1, 0, {1, 1, 1}));
        node.step(as_commit_notice(append(2, 1, 1, 3, 1, {}, 3)), ms(1));
        const Drained drained = drain(node, ms(1));
        CHECK_EQ(node.commit_index(), LogIndex(3));
        CHECK_EQ(drained.committed.size(), 3U);
        CHECK(drained.messages.empty());
        CHECK_EQ(node.leader_id(), NodeId(2));
    }
    SUBCASE("the same append without the flag is answered") {
        Node node = follower(state_with(1, 0, {1, 1, 1}));
        node.step(append(2, 1, 1, 3, 1, {}, 3), ms(1));
        const Message reply = only(drain(node, ms(1)).messages);
        CHECK(body_as<AppendEntriesReply>(reply).success);
        CHECK_EQ(body_as<AppendEntriesReply>(reply).match_index, LogIndex(3));
    }
    SUBCASE("a prefix the follower lost: rejected with the hint") {
        Node node = follower(state_with(1, 0, {1}));
        node.step(as_commit_notice(append(2, 1, 1, 3, 1, {}, 3)), ms(1));
        const Message reply = only(drain(node, ms(1)).messages);
        const AppendEntriesReply& body = body_as<AppendEntriesReply>(reply);
        CHECK_FALSE(body.success);
        CHECK_EQ(body.retry_index, LogIndex(2));
        CHECK_EQ(node.commit_index(), LogIndex(0));
    }
    SUBCASE("a stale term: rejected with the follower's term") {
        Node node = follower(state_with(3, 0, {1, 1, 1}));
        node.step(as_commit_notice(append(2, 1, 1, 3, 1, {}, 3)), ms(1));
        const Message reply = only(drain(node, ms(1)).messages);
        CHECK_EQ(reply.term, Term(3));
        CHECK_FALSE(body_as<AppendEntriesReply>(reply).success);
    }
}

TEST_CASE("node: with replicate_on_heartbeat_only a proposal waits for the next heartbeat "
          "(the seed's model)") {
    Config config = make_config(1, {1, 2, 3});
    config.replicate_on_heartbeat_only = true;
    Node node(config, PersistentState{});
    node.start();
    const Nanos at = elect(node, 0);
    const Drained committed = commit_noop(node, at);
    // Not even the commit is pushed: followers learn it on the next heartbeat.
    CHECK(committed.all().empty());

    REQUIRE(node.propose(Bytes{42}, at + 2).accepted);
    const Drained proposed = drain(node, at + 2);
    CHECK_EQ(proposed.persisted.size(), 1U);
    CHECK(proposed.all().empty());

    const Nanos tick = node.next_deadline();
    CHECK_EQ(tick, at + config.heartbeat_interval);
    node.on_time(tick);
    const Drained heartbeat = drain(node, tick);
    // Per follower: the append with the entry, and the tick's heartbeat.
    REQUIRE_EQ(heartbeat.messages.size(), 4U);
    std::size_t with_entries = 0;
    for (const Message& message : heartbeat.messages) {
        const auto& entries = body_as<AppendEntries>(message).entries;
        if (entries.empty()) continue;
        ++with_entries;
        CHECK_EQ(entries, std::vector<Entry>{Entry{Term(1), LogIndex(2), Bytes{42}}});
    }
    CHECK_EQ(with_entries, 2U);
}

TEST_CASE("node: every heartbeat tick sends each follower a heartbeat, even when it resends "
          "entries (their replies wait for the follower's fsync, a heartbeat's do not)") {
    // The followers' disks stall: entry 2 goes out and stays unacknowledged for two ticks,
    // so the second tick resends it. Its replies would wait for the stalled fsyncs; only the
    // heartbeats' replies can reach the leader before CheckQuorum deposes it.
    Node node = leader_with_unacknowledged_entry();
    const Nanos first_tick = run_next_tick(node).first;
    // The followers answer the first tick's heartbeats: they are up, only their disks stall.
    for (const std::uint64_t follower : {std::uint64_t{2}, std::uint64_t{3}}) {
        node.step(append_reply(follower, 1, 1, true, 1), first_tick + 1);
    }
    (void)drain(node, first_tick + 1);
    const Drained sent = run_next_tick(node).second;
    for (const Message& message : sent.messages) {
        const auto& body = body_as<AppendEntries>(message);
        if (body.entries.empty()) CHECK_EQ(body.prev_log_index, LogIndex(1));  // a held prefix
    }
    // Each follower: one resend of entry 2 and one heartbeat.
    CHECK_EQ(appends_to(sent, 2), std::pair<std::size_t, std::size_t>{1, 1});
    CHECK_EQ(appends_to(sent, 3), std::pair<std::size_t, std::size_t>{1, 1});
}

TEST_CASE("node: a follower silent for a whole heartbeat interval gets heartbeats only, and "
          "the missing entries as soon as it answers again") {
    Node node = leader_with_unacknowledged_entry();
    // Node 3 answers every heartbeat but its appends' replies are lost; node 2 is down.
    const Nanos first_tick = run_next_tick(node).first;
    node.step(append_reply(3, 1, 1, true, 1), first_tick + 1);
    (void)drain(node, first_tick + 1);
    for (int interval = 0; interval < 3; ++interval) {
        const auto [now, sent] = run_next_tick(node);
        CAPTURE(interval);
        CHECK_EQ(appends_to(sent, 2), std::pair<std::size_t, std::size_t>{0, 1});
        CHECK_EQ(appends_to(sent, 3), std::pair<std::size_t, std::size_t>{1, 1});
        node.step(append_reply(3, 1, 1, true, 1), now + 1);
        (void)drain(node, now + 1);
    }
    CHECK(node.progress().at(NodeId(2)).paused);
    // Node 2 comes back and answers a heartbeat: entry 2 goes out at once, not a tick later.
    const Nanos back = node.next_deadline() - 1;
    node.step(append_reply(2, 1, 1, true, 1), back);
    const Drained resent = drain(node, back);
    CHECK_EQ(appends_to(resent, 2), std::pair<std::size_t, std::size_t>{1, 0});
    CHECK_FALSE(node.progress().at(NodeId(2)).paused);
}

TEST_CASE("node: propose on a non-leader is refused with the leader it knows") {
    Node node = follower({});
    node.step(append(2, 1, 1, 0, 0, {}, 0), ms(1));
    (void)drain(node, ms(1));
    const ProposeResult result = node.propose(Bytes{1}, ms(2));
    CHECK_FALSE(result.accepted);
    CHECK_EQ(result.leader_hint, NodeId(2));
    CHECK_EQ(node.log().last_index(), LogIndex(0));
    CHECK_FALSE(node.has_ready());
}

TEST_CASE("node: a leader counts itself toward a majority only once its own entries are "
          "durable [§5.4.2]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);

    SUBCASE("leader durable plus one follower") {
        (void)drain(node, at);
        node.step(append_reply(2, 1, 1, true, 1), at + 1);
        (void)drain(node, at + 1);
        REQUIRE_EQ(node.commit_index(), LogIndex(1));

        node.propose(Bytes{1}, at + 2);
        const Ready ready = node.ready();  // the leader's write of entry 2 is in flight
        node.advance(ready, at + 2);
        node.step(append_reply(2, 1, 1, true, 2), at + 3);
        CHECK_EQ(node.commit_index(), LogIndex(1));  // {2} and a non-durable leader
        node.on_persisted(ready.write_id, at + 4);
        CHECK_EQ(node.commit_index(), LogIndex(2));
        const Drained drained = drain(node, at + 4);
        CHECK_EQ(drained.committed, std::vector<Entry>{Entry{Term(1), LogIndex(2), Bytes{1}}});
    }
    SUBCASE("leader alone is not a majority") {
        (void)drain(node, at);
        CHECK_EQ(node.commit_index(), LogIndex(0));
        node.propose(Bytes{1}, at + 1);
        (void)drain(node, at + 1);
        CHECK_EQ(node.commit_index(), LogIndex(0));
    }
    SUBCASE("two followers are a majority before the leader's write is durable") {
        const Ready ready = node.ready();  // the no-op's write is in flight
        node.advance(ready, at);
        node.step(append_reply(2, 1, 1, true, 1), at + 1);
        CHECK_EQ(node.commit_index(), LogIndex(0));
        node.step(append_reply(3, 1, 1, true, 1), at + 1);
        CHECK_EQ(node.commit_index(), LogIndex(1));
        // Committed entries are handed out before the leader's own write is durable.
        const Drained drained = drain(node, at + 2);
        CHECK_EQ(drained.committed.size(), 1U);
        node.on_persisted(ready.write_id, at + 3);
    }
}

TEST_CASE("node: a leader does not commit an earlier term's entry by counting replicas "
          "(Figure 8) [§5.4.2]") {
    // Node 1 recovers term 3 with log {1, 2}, where entry 2 (term 2) was never committed; it
    // wins term 4 and appends its no-op at index 3.
    Node node = make_node(1, {1, 2, 3, 4, 5}, state_with(3, 0, {1, 2}));
    const Nanos at = elect(node, 0);
    REQUIRE_EQ(node.current_term(), Term(4));
    (void)drain(node, at);
    REQUIRE_EQ(node.log().stable_index(), LogIndex(3));
    REQUIRE_EQ(node.log().term_at(LogIndex(2)), Term(2));

    // Every follower holds entry 2: a majority (indeed all) matched index 2, but it is of
    // term 2, so it must not be committed by counting.
    for (std::uint64_t peer = 2; peer <= 5; ++peer) {
        node.step(append_reply(peer, 1, 4, true, 2), at + 1);
        CHECK_EQ(node.commit_index(), LogIndex(0));
    }
    // The leader and one follower hold the no-op: not yet a majority of 5.
    node.step(append_reply(2, 1, 4, true, 3), at + 2);
    CHECK_EQ(node.commit_index(), LogIndex(0));
    CHECK(drain(node, at + 2).committed.empty());

    // A second follower: index 3 (term 4) is on a majority, which commits index 2 with it.
    node.step(append_reply(3, 1, 4, true, 3), at + 3);
    CHECK_EQ(node.commit_index(), LogIndex(3));
    const Drained drained = drain(node, at + 3);
    REQUIRE_EQ(drained.committed.size(), 3U);
    CHECK_EQ(drained.committed[1].term, Term(2));
    CHECK_EQ(drained.committed[2], (Entry{Term(4), LogIndex(3), Bytes{}}));
}

// ---------------------------------------------------------------------------------------------
// Heartbeats and the election timer (§5.2).

TEST_CASE("node: an idle leader sends an empty AppendEntries to every follower each heartbeat "
          "interval [§5.2]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);
    (void)commit_noop(node, at);

    for (std::int64_t beat = 1; beat <= 4; ++beat) {
        CAPTURE(beat);
        const Nanos due = at + beat * heartbeat;
        // The won election's timer ticks once more in between; it sends nothing.
        while (node.next_deadline() < due) {
            const Nanos tick = node.next_deadline();
            node.on_time(tick);
            CHECK(drain(node, tick).all().empty());
        }
        CHECK_EQ(node.next_deadline(), due);
        node.on_time(due - 1);
        CHECK(drain(node, due - 1).all().empty());
        node.on_time(due);
        const Drained drained = drain(node, due);
        REQUIRE_EQ(drained.messages.size(), 2U);
        std::set<std::uint64_t> sent_to;
        for (const Message& message : drained.messages) {
            const AppendEntries& body = body_as<AppendEntries>(message);
            CHECK(body.entries.empty());
            CHECK_EQ(body.prev_log_index, LogIndex(1));
            CHECK_EQ(body.prev_log_term, Term(1));
            CHECK_EQ(body.leader_commit, LogIndex(1));
            sent_to.insert(message.to.value);
            node.step(append_reply(message.to.value, 1, 1, true, 1), due);
        }
        CHECK_EQ(sent_to, std::set<std::uint64_t>{2, 3});
        CHECK(drain(node, due).all().empty());
        CHECK_EQ(node.role(), Role::Leader);
    }
}

TEST_CASE("node: a follower's election deadline moves when it receives AppendEntries [§5.2]") {
    Node node = follower(state_with(1, 0, {}));
    const Nanos timeout = node.next_deadline();  // armed at 0

    // Heartbeats from the leader, each just before the deadline, keep it a follower.
    Nanos now = 0;
    for (int beat = 0; beat < 10; ++beat) {
        CAPTURE(beat);
        now = node.next_deadline() - ms(1);
        node.on_time(now);
        node.step(append(2, 1, 1, 0, 0, {}, 0), now);
        (void)drain(node, now);
        CHECK_EQ(node.next_deadline(), now + timeout);
        CHECK_EQ(node.role(), Role::Follower);
    }
    // Without them, it stands for election at the deadline.
    node.on_time(node.next_deadline());
    CHECK_EQ(node.role(), Role::Candidate);
    CHECK_EQ(node.current_term(), Term(2));
}

// ---------------------------------------------------------------------------------------------
// Liveness of replication and robustness to peer input.

TEST_CASE("node: an AppendEntries lost while heartbeats are answered is resent [§5.3]") {
    // Figure 2: "If last log index >= nextIndex for a follower: send AppendEntries ... If
    // AppendEntries fails ... retry"; a leader retries indefinitely (§5.3). Here the only
    // AppendEntries carrying entry 2 is lost to both followers; heartbeats keep flowing and
    // being answered. The leader must eventually resend entry 2 and commit it.
    Cluster cluster({1, 2, 3});
    cluster.elect(1);
    const Nanos elected_at = cluster.now();
    REQUIRE_EQ(cluster.node(1).commit_index(), LogIndex(1));

    cluster.set_now(elected_at + ms(1));
    REQUIRE(cluster.node(1).propose(Bytes{9}, cluster.now()).accepted);
    cluster.stabilize([](const Message& message) {
        const auto* body = std::get_if<AppendEntries>(&message.body);
        return body != nullptr && !body->entries.empty();
    });
    REQUIRE_EQ(cluster.dropped().size(), 2U);
    REQUIRE_EQ(cluster.node(2).log().last_index(), LogIndex(1));

    for (std::int64_t beat = 1; beat <= 10; ++beat) {
        cluster.set_now(elected_at + beat * heartbeat);
        cluster.node(1).on_time(cluster.now());
        cluster.stabilize();
    }
    for (const auto& slot : cluster.node(1).progress()) {
        const NodeId peer = slot.first;
        const Progress progress = slot.second;
        INFO("leader's progress for node ", peer, ": match_index=", progress.match_index,
             " next_index=", progress.next_index, " inflight=", progress.inflight.size());
        CHECK_EQ(cluster.node(peer.value).log().last_index(), LogIndex(2));
    }
    CHECK_EQ(cluster.node(1).commit_index(), LogIndex(2));
}

TEST_CASE("node: a well-delivered cluster replicates and commits a proposal everywhere [§5.3]") {
    Cluster cluster({1, 2, 3});
    cluster.elect(1);
    const Nanos elected_at = cluster.now();
    cluster.set_now(elected_at + ms(1));
    REQUIRE(cluster.node(1).propose(Bytes{5}, cluster.now()).accepted);
    cluster.stabilize();
    CHECK_EQ(cluster.node(1).commit_index(), LogIndex(2));
    // A follower whose acknowledgement arrives after the commit learns of it with the next
    // heartbeat at the latest.
    cluster.set_now(elected_at + heartbeat);
    cluster.node(1).on_time(cluster.now());
    cluster.stabilize();
    for (std::uint64_t id = 1; id <= 3; ++id) {
        CAPTURE(id);
        CHECK_EQ(cluster.node(id).log().last_index(), LogIndex(2));
        CHECK_EQ(cluster.node(id).commit_index(), LogIndex(2));
        CHECK_EQ(cluster.node(id).applied_index(), LogIndex(2));
    }
}

TEST_CASE("node: a malformed AppendEntries from a peer is rejected, not asserted on [§5.3]") {
    // STYLE: "Never assert on untrusted input: peer messages ... are validated and rejected as
    // values". Entries whose terms go backwards cannot come from a correct leader.
    struct Case {
        std::string name;
        Message message;
    };
    const Case cases[] = {
        {"entry term below the previous entry's", append(2, 1, 1, 2, 1, {entry(0, 3)}, 0)},
        {"entry terms decrease within the batch",
         append(2, 1, 2, 2, 1, {entry(2, 3), entry(1, 4)}, 0)},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const bool survived = runs_without_aborting([&] {
            Node node = follower(state_with(1, 0, {1, 1}));
            node.step(c.message, ms(1));
            (void)drain(node, ms(1));
        });
        CHECK(survived);
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism.

TEST_CASE("node: the same config and seed give the same election timeouts") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        CAPTURE(seed);
        Node a = make_node(1, {1, 2, 3}, {}, seed);
        Node b = make_node(1, {1, 2, 3}, {}, seed);
        a.on_time(0);
        b.on_time(0);
        CHECK_EQ(a.next_deadline(), b.next_deadline());
        // And the next draw, at the first election, too.
        const Nanos at = a.next_deadline();
        a.on_time(at);
        b.on_time(at);
        CHECK_EQ(a.next_deadline(), b.next_deadline());
    }
}

TEST_CASE("node: different seeds give different election timeouts") {
    std::set<Nanos> deadlines;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        Node node = make_node(1, {1, 2, 3}, {}, seed);
        node.on_time(0);
        deadlines.insert(node.next_deadline());
    }
    CHECK_GT(deadlines.size(), 1U);

    // Nodes of one cluster with one seed draw independently, too.
    std::set<Nanos> per_node;
    for (std::uint64_t id = 1; id <= 3; ++id) {
        Node node = make_node(id, {1, 2, 3}, {}, 7);
        node.on_time(0);
        per_node.insert(node.next_deadline());
    }
    CHECK_GT(per_node.size(), 1U);
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
