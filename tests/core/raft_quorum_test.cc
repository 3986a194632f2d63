// SPDX-License-Identifier: MIT
// Majority arithmetic: majority() for small clusters, and committed_index() against a
// brute-force oracle over random match indexes (etcd's quick test).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/prng.h"
#include "core/raft/quorum.h"

namespace raftlink::raft {
namespace {

/// The largest index that at least majority(n) of the voters have matched, by trying every
/// candidate value.
LogIndex committed_index_oracle(const std::vector<LogIndex>& match_indexes) {
    LogIndex best(0);
    for (const LogIndex candidate : match_indexes) {
        const auto count = std::count_if(match_indexes.begin(), match_indexes.end(),
                                         [&](LogIndex m) { return m >= candidate; });
        if (static_cast<std::size_t>(count) >= majority(match_indexes.size()) && candidate > best) {
            best = candidate;
        }
    }
    return best;
}

std::string describe(const std::vector<LogIndex>& match_indexes) {
    std::string text;
    for (const LogIndex index : match_indexes) text += std::to_string(index.value) + " ";
    return text;
}

TEST_SUITE("raft") {

TEST_CASE("quorum: majority() is more than half of the voters [§5.2]") {
    struct Case {
        std::size_t voters;
        std::size_t want;
    };
    const Case cases[] = {{1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 3}, {6, 4}, {7, 4}, {8, 5}, {9, 5}};
    for (const Case& c : cases) {
        CAPTURE(c.voters);
        CHECK_EQ(majority(c.voters), c.want);
        // Any two majorities intersect.
        CHECK_GT(2 * majority(c.voters), c.voters);
        // And a majority is the smallest such number.
        CHECK_LE(2 * (majority(c.voters) - 1), c.voters);
    }
}

TEST_CASE("quorum: committed_index on hand-picked inputs [§5.3, §5.4.2]") {
    struct Case {
        std::string name;
        std::vector<std::uint64_t> matches;
        std::uint64_t want;
    };
    const Case cases[] = {
        {"one voter", {7}, 7},
        {"two voters need both", {5, 3}, 3},
        {"three voters, median", {1, 9, 4}, 4},
        {"three voters, two equal", {4, 4, 0}, 4},
        {"four voters need three", {10, 9, 1, 0}, 1},
        {"five voters, third largest", {5, 1, 4, 2, 3}, 3},
        {"nothing matched", {0, 0, 0}, 0},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        std::vector<LogIndex> matches;
        for (const std::uint64_t m : c.matches) matches.push_back(LogIndex(m));
        CHECK_EQ(committed_index(matches), LogIndex(c.want));
    }
}

TEST_CASE("quorum: committed_index agrees with a brute-force oracle on random inputs [§5.4.2]") {
    constexpr std::uint64_t seed = 0x5eed'0001;
    Prng prng(seed);
    CAPTURE(seed);
    for (int round = 0; round < 5000; ++round) {
        const std::size_t voters = 1 + static_cast<std::size_t>(prng.below(9));
        const std::uint64_t spread = 1 + prng.below(20);
        std::vector<LogIndex> matches;
        for (std::size_t i = 0; i < voters; ++i) matches.push_back(LogIndex(prng.below(spread)));
        CAPTURE(round);
        CAPTURE(describe(matches));
        REQUIRE_EQ(committed_index(matches), committed_index_oracle(matches));
    }
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::raft
