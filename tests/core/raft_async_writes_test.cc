// SPDX-License-Identifier: MIT
// Asynchronous storage writes (etcd's idea, thesis §10.2.1): a node hands out several writes
// before the first is durable, a leader's AppendEntries leave at once, and every message that
// reveals a term, a vote or log entries waits for the write that makes them durable
// (Figure 2). Writes are acknowledged by hand here, in order, as storage would.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/raft/write_tracker.h"
#include "raft_test_support.h"

namespace raftlink::raft {
namespace {

using namespace test_support;

/// Takes one Ready and advances it (sent and applied), leaving its write outstanding.
Ready take(Node& node, Nanos now) {
    REQUIRE(node.has_ready());
    Ready ready = node.ready();
    node.advance(ready, now);
    return ready;
}

/// A follower of node 2 in term 1 (durable) with an empty log, whose timer is armed.
Node follower_of_2() {
    Node node = make_node(1, {1, 2, 3});
    node.on_time(0);
    node.step(append(2, 1, 1, 0, 0, {}, 0), 0);
    (void)drain(node, 0);
    REQUIRE_EQ(node.current_term(), Term(1));
    return node;
}

/// A leader of term 1 whose no-op (index 1) is durable and committed.
Node committed_leader(Nanos& at) {
    Node node = make_node(1, {1, 2, 3});
    at = elect(node, 0);
    (void)drain(node, at);
    node.step(append_reply(2, 1, 1, true, 1), at);
    (void)drain(node, at);
    REQUIRE_EQ(node.commit_index(), LogIndex(1));
    return node;
}

std::vector<Message> acknowledgements(const std::vector<Message>& messages) {
    return of_type<AppendEntriesReply>(messages);
}

TEST_SUITE("raft") {

TEST_CASE("async writes: a leader's second proposal leaves at once while its first write is "
          "outstanding; commit waits for its own durability [thesis §10.2.1]") {
    Nanos at = 0;
    Node node = committed_leader(at);
    REQUIRE(node.propose(Bytes{1}, at + 1).accepted);
    const Ready first = take(node, at + 1);
    REQUIRE(first.needs_persist());
    CHECK_EQ(of_type<AppendEntries>(first.messages).size(), 2U);

    REQUIRE(node.propose(Bytes{2}, at + 2).accepted);
    const Ready second = take(node, at + 2);
    REQUIRE(second.needs_persist());
    CHECK_EQ(second.write_id, first.write_id + 1);
    CHECK_EQ(second.entries, std::vector<Entry>{Entry{Term(1), LogIndex(3), Bytes{2}}});
    const std::vector<Message> appends = of_type<AppendEntries>(second.messages);
    REQUIRE_EQ(appends.size(), 2U);  // pipelined behind the first append, not waiting for it
    for (const Message& message : appends) {
        CHECK_EQ(body_as<AppendEntries>(message).prev_log_index, LogIndex(2));
    }
    CHECK_EQ(node.storage_writes_outstanding(), 2U);

    // Follower 3 is slow; follower 2 holds both entries. With the leader's own writes not
    // durable, one of three is no majority.
    node.step(append_reply(2, 1, 1, true, 3), at + 3);
    CHECK_EQ(node.commit_index(), LogIndex(1));
    node.on_persisted(first.write_id, at + 4);
    CHECK_EQ(node.commit_index(), LogIndex(2));
    CHECK_EQ(drain(node, at + 4).committed, std::vector<Entry>{Entry{Term(1), LogIndex(2), Bytes{1}}});
    node.on_persisted(second.write_id, at + 5);
    CHECK_EQ(node.commit_index(), LogIndex(3));
    CHECK_EQ(node.storage_writes_outstanding(), 0U);
}

TEST_CASE("async writes: a follower's acknowledgement of batch 2 is not released before "
          "batch 2 is durable [§5.3, Figure 2]") {
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1), entry(1, 2)}, 0), ms(1));
    const Ready batch1 = take(node, ms(1));
    node.step(append(2, 1, 1, 2, 1, {entry(1, 3)}, 0), ms(2));
    const Ready batch2 = take(node, ms(2));
    REQUIRE(batch1.needs_persist());
    REQUIRE(batch2.needs_persist());
    CHECK_EQ(batch2.entries, std::vector<Entry>{entry(1, 3)});
    CHECK(batch1.messages.empty());
    CHECK(batch2.messages.empty());
    CHECK_FALSE(node.has_ready());

    node.on_persisted(batch1.write_id, ms(3));
    CHECK_EQ(node.log().stable_index(), LogIndex(2));
    const Drained after1 = drain(node, ms(3));
    const Message ack1 = only(acknowledgements(after1.messages));
    CHECK_EQ(body_as<AppendEntriesReply>(ack1).match_index, LogIndex(2));
    CHECK_FALSE(node.has_ready());

    node.on_persisted(batch2.write_id, ms(4));
    const Message ack2 = only(acknowledgements(drain(node, ms(4)).messages));
    CHECK_EQ(body_as<AppendEntriesReply>(ack2).match_index, LogIndex(3));
}

TEST_CASE("async writes: a heartbeat's reply does not wait for an unrelated write, so a slow "
          "disk does not look like a dead follower") {
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1)}, 0), ms(1));
    const Ready batch = take(node, ms(1));
    node.step(append(2, 1, 1, 0, 0, {}, 0), ms(2));  // a heartbeat naming index 0
    const Message reply = only(take(node, ms(2)).messages);
    CHECK_EQ(body_as<AppendEntriesReply>(reply).match_index, LogIndex(0));
    CHECK_FALSE(node.has_ready());
    node.on_persisted(batch.write_id, ms(3));
    const Message ack = only(acknowledgements(drain(node, ms(3)).messages));
    CHECK_EQ(body_as<AppendEntriesReply>(ack).match_index, LogIndex(1));
}

TEST_CASE("async writes: an acknowledgement of an earlier term is dropped, not sent after "
          "entries it vouched for were replaced [§5.3]") {
    Config config = make_config(1, {1, 2, 3});
    config.storage_writes_inflight_max = 1;
    Node node(config, PersistentState{});
    node.start();
    node.on_time(0);
    (void)drain(node, 0);
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1)}, 0), ms(1));
    const Ready first = take(node, ms(1));
    // No slot for entry 2, so its acknowledgement cannot be placed yet; then leader 3 of term
    // 2 replaces entry 2.
    node.step(append(2, 1, 1, 1, 1, {entry(1, 2)}, 0), ms(2));
    node.step(append(3, 1, 2, 1, 1, {entry(2, 2)}, 0), ms(400));
    node.on_persisted(first.write_id, ms(401));
    const Ready second = take(node, ms(401));
    CHECK_EQ(second.entries, std::vector<Entry>{entry(2, 2)});
    for (const Message& message : acknowledgements(second.messages)) {
        CHECK_EQ(message.term, Term(1));  // entry 1's acknowledgement, durable now
        CHECK_EQ(body_as<AppendEntriesReply>(message).match_index, LogIndex(1));
    }
    node.on_persisted(second.write_id, ms(402));
    const std::vector<Message> later = acknowledgements(drain(node, ms(402)).messages);
    const Message ack = only(later);
    CHECK_EQ(ack.term, Term(2));
    CHECK_EQ(ack.to, NodeId(3));
    CHECK_EQ(body_as<AppendEntriesReply>(ack).match_index, LogIndex(2));
}

TEST_CASE("async writes: an acknowledgement held for its write is dropped, not released, once a "
          "later term replaced the entries it vouches for [§5.3, Figure 2]") {
    // Found by the simulator (speed-5 seed 278): the acknowledgement already waited inside
    // the write tracker when the later leader truncated, and left when its write completed,
    // in a term the follower had left: counted by the old leader, it vouched for entries the
    // follower no longer held, although it may have voted in the later term meanwhile.
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1), entry(1, 2)}, 0), ms(1));
    const Ready old_entries = take(node, ms(1));
    REQUIRE(old_entries.messages.empty());  // the acknowledgement waits for this write
    node.step(append(3, 1, 2, 1, 1, {entry(2, 2)}, 0), ms(400));
    const Ready new_suffix = take(node, ms(400));
    CHECK_EQ(new_suffix.entries, std::vector<Entry>{entry(2, 2)});
    node.on_persisted(old_entries.write_id, ms(401));
    CHECK(acknowledgements(drain(node, ms(401)).messages).empty());
    node.on_persisted(new_suffix.write_id, ms(402));
    const Message ack = only(acknowledgements(drain(node, ms(402)).messages));
    CHECK_EQ(ack.term, Term(2));
    CHECK_EQ(ack.to, NodeId(3));
    CHECK_EQ(body_as<AppendEntriesReply>(ack).match_index, LogIndex(2));
}

TEST_CASE("async writes: a vote is not released before its hard state is durable, even with "
          "other writes outstanding [§5.2, Figure 2]") {
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1)}, 0), ms(1));
    const Ready entries = take(node, ms(1));
    // A candidate of term 2 with an up-to-date log asks for the vote.
    node.step(vote_request(3, 1, 2, 1, 1), ms(400));
    const Ready vote = take(node, ms(400));
    REQUIRE(vote.hard_state.has_value());
    CHECK_EQ(*vote.hard_state, HardState{Term(2), NodeId(3)});
    CHECK(vote.entries.empty());
    CHECK(vote.messages.empty());

    node.on_persisted(entries.write_id, ms(401));
    const Drained after_entries = drain(node, ms(401));
    CHECK(of_type<RequestVoteReply>(after_entries.messages).empty());
    // Entry 1's acknowledgement was of term 1, which the node has left: it is dropped, as
    // every acknowledgement of an earlier term is (see the test above).
    CHECK(acknowledgements(after_entries.messages).empty());

    node.on_persisted(vote.write_id, ms(402));
    const Message reply = only(drain(node, ms(402)).messages);
    CHECK_EQ(reply.to, NodeId(3));
    CHECK_EQ(reply.term, Term(2));
    CHECK(body_as<RequestVoteReply>(reply).vote_granted);
}

TEST_CASE("async writes: a candidate's RequestVotes wait for its term and vote although an "
          "earlier write is durable [§5.2]") {
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1)}, 0), ms(1));
    const Ready entries = take(node, ms(1));
    node.on_persisted(entries.write_id, ms(2));
    (void)drain(node, ms(2));
    const Nanos at = expire_election(node, ms(2));
    REQUIRE_EQ(node.role(), Role::Candidate);
    const Ready candidacy = take(node, at);
    REQUIRE(candidacy.hard_state.has_value());
    CHECK(candidacy.messages.empty());
    node.on_persisted(candidacy.write_id, at + 1);
    CHECK_EQ(of_type<RequestVote>(drain(node, at + 1).messages).size(), 2U);
}

TEST_CASE("async writes: beyond storage_writes_inflight_max new entries wait and go out "
          "together in one write") {
    Config config = make_config(1, {1, 2, 3});
    config.storage_writes_inflight_max = 1;
    Node node(config, PersistentState{});
    node.start();
    node.on_time(0);
    (void)drain(node, 0);
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1)}, 0), ms(1));
    const Ready first = take(node, ms(1));
    node.step(append(2, 1, 1, 1, 1, {entry(1, 2)}, 0), ms(2));
    node.step(append(2, 1, 1, 2, 1, {entry(1, 3)}, 0), ms(3));
    CHECK_FALSE(node.has_ready());  // no slot, and the acknowledgements must wait anyway
    CHECK_EQ(node.storage_writes_outstanding(), 1U);

    node.on_persisted(first.write_id, ms(4));
    const Ready second = node.ready();
    CHECK_EQ(second.entries, (std::vector<Entry>{entry(1, 2), entry(1, 3)}));
    const Message ack1 = only(acknowledgements(second.messages));
    CHECK_EQ(body_as<AppendEntriesReply>(ack1).match_index, LogIndex(1));
    node.advance(second, ms(4));
    node.on_persisted(second.write_id, ms(5));
    const std::vector<Message> later = acknowledgements(drain(node, ms(5)).messages);
    REQUIRE_EQ(later.size(), 2U);
    CHECK_EQ(body_as<AppendEntriesReply>(later.back()).match_index, LogIndex(3));
}

TEST_CASE("async writes: a truncation while a write is outstanding writes the new suffix "
          "again [§5.3]") {
    Node node = follower_of_2();
    node.step(append(2, 1, 1, 0, 0, {entry(1, 1), entry(1, 2), entry(1, 3)}, 1), ms(1));
    const Ready old_suffix = take(node, ms(1));
    REQUIRE_EQ(old_suffix.entries.size(), 3U);
    // Leader 3 of term 2 never had entries 2 and 3 of term 1.
    node.step(append(3, 1, 2, 1, 1, {entry(2, 2)}, 1), ms(400));
    const Ready new_suffix = take(node, ms(400));
    CHECK_EQ(new_suffix.entries, std::vector<Entry>{entry(2, 2)});
    node.on_persisted(old_suffix.write_id, ms(401));
    CHECK_LE(node.log().stable_index(), LogIndex(1));  // entries 2..3 of term 1 are gone
    node.on_persisted(new_suffix.write_id, ms(402));
    CHECK_EQ(node.log().stable_index(), LogIndex(2));
    (void)drain(node, ms(402));
}

TEST_CASE("async writes: AppendEntries are bounded by entry bytes, but carry at least one "
          "entry") {
    Config config = make_config(1, {1, 2, 3});
    config.entries_bytes_per_append_max = 10;
    Node node(config, PersistentState{});
    node.start();
    const Nanos at = elect(node, 0);
    (void)drain(node, at);
    node.step(append_reply(2, 1, 1, true, 1), at);
    node.step(append_reply(3, 1, 1, true, 1), at);
    (void)drain(node, at);
    // Three entries of 4, 4 and 20 bytes: the first message carries two (8 bytes), the next
    // carries the large one alone.
    node.propose(Bytes(4, 1), at + 1);
    node.propose(Bytes(4, 2), at + 1);
    node.propose(Bytes(20, 3), at + 1);
    const Drained drained = drain(node, at + 1);
    std::vector<std::size_t> counts;
    for (const Message& message : addressed_to(drained.messages, 2)) {
        counts.push_back(body_as<AppendEntries>(message).entries.size());
    }
    // The first proposal left alone at once; the other two followed as proposed.
    CHECK_EQ(counts, (std::vector<std::size_t>{1, 1, 1}));

    // A rejection asks for everything from index 2 again: one append probes, then an
    // acknowledgement fills the window with the rest.
    const auto sizes = [](const Drained& out) {
        std::vector<std::size_t> entry_counts;
        for (const Message& message : addressed_to(out.messages, 2)) {
            entry_counts.push_back(body_as<AppendEntries>(message).entries.size());
        }
        return entry_counts;
    };
    node.step(append_reply(2, 1, 1, false, 0, 2, 0), at + 2);
    CHECK_EQ(sizes(drain(node, at + 2)), std::vector<std::size_t>{2});
    node.step(append_reply(2, 1, 1, true, 3), at + 3);
    CHECK_EQ(sizes(drain(node, at + 3)), std::vector<std::size_t>{1});
}

TEST_CASE("write tracker: messages wait for their write, in order, and leave at once when it "
          "is durable") {
    WriteTracker tracker;
    const Message message{NodeId(1), NodeId(2), Term(1), RequestVoteReply{true}};
    std::vector<Message> now;
    tracker.hold(Message(message), 0, now);
    CHECK_EQ(now.size(), 1U);  // nothing to wait for

    now.clear();
    const std::uint64_t first = tracker.issue(HardState{Term(1), NodeId(2)}, LogIndex(0),
                                              LogIndex(0), Term(0));
    const std::uint64_t second = tracker.issue(std::nullopt, LogIndex(1), LogIndex(3), Term(1));
    const std::uint64_t third = tracker.issue(std::nullopt, LogIndex(2), LogIndex(2), Term(2));
    CHECK_EQ(tracker.newest_touching(LogIndex(1)), second);
    CHECK_EQ(tracker.newest_touching(LogIndex(3)), third);  // replaces index 2, so 3 too
    tracker.hold(Message(message), third, now);
    tracker.hold(Message(message), first, now);
    tracker.hold(Message(message), second, now);
    CHECK(now.empty());
    CHECK_EQ(tracker.held_count(), 3U);

    std::vector<Message> released;
    const WriteTracker::Write done = tracker.complete(first, released);
    CHECK(done.hard_state.has_value());
    CHECK_EQ(released.size(), 1U);
    CHECK_EQ(tracker.complete(second, released).last_index, LogIndex(3));
    CHECK_EQ(released.size(), 2U);
    CHECK_EQ(tracker.newest_touching(LogIndex(1)), 0U);  // only durable writes touch index 1
    CHECK_EQ(tracker.newest_touching(LogIndex(2)), third);
    tracker.hold(Message(message), second, now);  // already durable
    CHECK_EQ(now.size(), 1U);
    (void)tracker.complete(third, released);
    CHECK_EQ(released.size(), 3U);
    CHECK_EQ(tracker.held_count(), 0U);
    CHECK_EQ(tracker.newest_touching(LogIndex(1)), 0U);
    CHECK_EQ(tracker.durable_id(), tracker.issued_id());
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
