// SPDX-License-Identifier: MIT
// Progress, the leader's view of one follower: the window of AppendEntries in flight, how
// acknowledgements and rejections move nextIndex and matchIndex (§5.3), and stall recovery.
#include <doctest/doctest.h>

#include <deque>

#include "core/raft/progress.h"

namespace raftlink::raft {
namespace {

std::deque<LogIndex> indexes(std::initializer_list<std::uint64_t> values) {
    std::deque<LogIndex> out;
    for (const std::uint64_t value : values) out.push_back(LogIndex(value));
    return out;
}

TEST_SUITE("raft") {

TEST_CASE("progress: appends fill the window; acknowledgements free the slots they cover [§5.3]") {
    Progress progress;
    progress.next_index = LogIndex(1);
    progress.on_append_sent(LogIndex(3));
    progress.on_append_sent(LogIndex(5));
    CHECK_FALSE(progress.window_full(3));
    progress.on_append_sent(LogIndex(6));
    CHECK(progress.window_full(3));
    CHECK_EQ(progress.next_index, LogIndex(7));
    CHECK_EQ(progress.inflight, indexes({3, 5, 6}));

    progress.on_acknowledged(LogIndex(4));  // covers the first append only
    CHECK_EQ(progress.match_index, LogIndex(4));
    CHECK_EQ(progress.inflight, indexes({5, 6}));
    progress.on_acknowledged(LogIndex(2));  // a reordered older acknowledgement
    CHECK_EQ(progress.match_index, LogIndex(4));
    CHECK_EQ(progress.next_index, LogIndex(7));
    progress.on_acknowledged(LogIndex(6));
    CHECK(progress.inflight.empty());
    CHECK_EQ(progress.next_index, LogIndex(7));
}

TEST_CASE("progress: a rejection resends from the hint and empties the window [§5.3]") {
    struct Case {
        const char* name;
        std::uint64_t match_index;
        std::uint64_t retry;
        bool lost_entries;
        std::uint64_t match_after;
        std::uint64_t next_after;
    };
    const Case cases[] = {
        {"hint above match", 2, 5, false, 2, 5},
        {"hint just above match", 2, 3, false, 2, 3},
        {"follower lost acknowledged entries", 4, 3, true, 2, 3},
        {"follower lost everything", 4, 1, true, 0, 1},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Progress progress;
        progress.match_index = LogIndex(c.match_index);
        progress.next_index = LogIndex(c.match_index + 1);
        progress.on_append_sent(LogIndex(c.match_index + 4));
        CHECK_EQ(progress.on_rejected(LogIndex(c.retry)), c.lost_entries);
        CHECK_EQ(progress.match_index, LogIndex(c.match_after));
        CHECK_EQ(progress.next_index, LogIndex(c.next_after));
        CHECK(progress.inflight.empty());
    }
}

TEST_CASE("progress: appends unacknowledged for a whole heartbeat interval are resent") {
    Progress progress;
    progress.match_index = LogIndex(2);
    progress.next_index = LogIndex(3);
    progress.on_heartbeat(LogIndex(2));  // nothing missing
    progress.on_append_sent(LogIndex(4));
    progress.on_heartbeat(LogIndex(4));  // match did not move since the last heartbeat
    CHECK(progress.inflight.empty());
    CHECK_EQ(progress.next_index, LogIndex(3));

    progress.on_append_sent(LogIndex(4));
    progress.on_acknowledged(LogIndex(3));
    progress.on_heartbeat(LogIndex(5));  // match moved: the append in flight is kept
    CHECK_EQ(progress.inflight, indexes({4}));
    CHECK_EQ(progress.next_index, LogIndex(5));
}

TEST_CASE("progress: a follower that answered nothing for a whole interval is paused until "
          "it answers") {
    Progress progress;
    progress.match_index = LogIndex(2);
    progress.next_index = LogIndex(3);
    progress.on_heartbeat(LogIndex(2));
    progress.on_append_sent(LogIndex(4));
    CHECK(progress.may_send(8));
    progress.on_heartbeat(LogIndex(4));  // missing entries, no answer in the interval
    CHECK(progress.paused);
    CHECK_FALSE(progress.may_send(8));
    CHECK_EQ(progress.next_index, LogIndex(3));
    progress.on_reply();
    CHECK(progress.may_send(8));

    progress.on_append_sent(LogIndex(4));
    progress.on_reply();                 // e.g. a heartbeat's reply: it is up
    progress.on_heartbeat(LogIndex(4));  // missing entries, but it answered: resent, not paused
    CHECK_FALSE(progress.paused);
    CHECK(progress.inflight.empty());
    progress.on_heartbeat(LogIndex(4));  // nothing since: paused
    CHECK(progress.paused);
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
