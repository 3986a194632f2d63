// SPDX-License-Identifier: MIT
// Committed entries leave the node in bounded batches: a node restarted with a long log learns
// the commit index in one message, and must not copy its whole log into one Ready.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "raft_test_support.h"

namespace raftlink::raft {
namespace {

using namespace test_support;

TEST_SUITE("raft") {
    TEST_CASE("a restarted follower applies a long committed log in Readies of at most "
              "committed_entries_per_ready_max entries, in order, without gaps") {
        Config config = make_config(1, {1, 2, 3});
        config.committed_entries_per_ready_max = 3;
        Node node(config, state_with(1, 2, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
        node.start();
        node.on_time(0);
        // The leader's heartbeat names the follower's last entry and commits all ten.
        node.step(append(2, 1, 1, 10, 1, {}, 10), 0);
        REQUIRE_EQ(node.commit_index(), LogIndex(10));

        std::vector<std::size_t> sizes;
        std::uint64_t next = 1;
        while (node.has_ready()) {
            const Ready ready = node.ready();
            if (!ready.committed_entries.empty()) sizes.push_back(ready.committed_entries.size());
            for (const Entry& entry : ready.committed_entries) {
                CHECK_EQ(entry.index, LogIndex(next));
                CHECK_EQ(entry.data, Bytes{static_cast<std::uint8_t>(next)});
                ++next;
            }
            node.advance(ready, 0);
        }
        CHECK_EQ(sizes, std::vector<std::size_t>{3, 3, 3, 1});
        CHECK_EQ(next, 11U);
    }

    TEST_CASE("committed_entries_per_ready_max must be at least 1") {
        Config config = make_config(1, {1, 2, 3});
        config.committed_entries_per_ready_max = 0;
        CHECK(validate(config).has_value());
    }
}

}  // namespace
}  // namespace raftlink::raft
