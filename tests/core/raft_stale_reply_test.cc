// SPDX-License-Identifier: MIT
// Replies to requests of an earlier term that arrive once their sender leads a later term.
// Found by the simulator (vote-storm seeds 7 and 21): a node that led term 8 sent an
// AppendEntries to a follower already in term 9; the follower rejected it with its term 9;
// the sender then won term 9 and took that stale-term rejection for a log mismatch with no
// retry index, so next_index fell to 0 and the next append asserted.
#include <doctest/doctest.h>

#include "raft_test_support.h"

namespace raftlink::raft {
namespace {

using namespace test_support;

TEST_CASE("node: a rejection of an earlier term's AppendEntries, arriving in the leader's "
          "term, says nothing about the follower's log [§5.1, §5.3]") {
    Node node = make_node(1, {1, 2, 3});
    const Nanos at = elect(node, 0);
    (void)commit_noop(node, at);
    REQUIRE(node.propose(Bytes{7}, at + 2).accepted);
    (void)drain(node, at + 2);
    const Progress before = node.progress().at(NodeId(2));

    // What a follower in term 1 answers to an AppendEntries of term 0: success false, its own
    // term, and neither a retry index nor a conflict term (Figure 2, receiver step 1).
    node.step(append_reply(2, 1, 1, false, 0), at + 3);
    const Drained after = drain(node, at + 3);

    CHECK_EQ(node.role(), Role::Leader);
    const Progress& progress = node.progress().at(NodeId(2));
    CHECK_EQ(progress.match_index, before.match_index);
    CHECK_EQ(progress.next_index, before.next_index);
    CHECK(addressed_to(after.all(), 2).empty());
    // Replication goes on: the follower's acknowledgement of index 2 commits it.
    node.step(append_reply(2, 1, 1, true, 2), at + 4);
    (void)drain(node, at + 4);
    CHECK_EQ(node.commit_index(), LogIndex(2));
}

}  // namespace
}  // namespace raftlink::raft
