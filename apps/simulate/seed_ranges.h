// SPDX-License-Identifier: MIT
// The --seeds argument: "A..B" (both ends included), a single "N", or a comma list of those
// such as "1..100,250,900..1000". Seeds run in ascending order whatever order the list has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace raftlink::simulate {

/// At most this many seeds per scenario, so that a typo such as 1..10000000000 is refused
/// rather than started.
inline constexpr std::uint64_t seeds_per_scenario_max = 100'000'000;

struct SeedRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // >= first
};

class SeedSet {
public:
    /// Parses the text; an ill-formed item, an empty range (9..1) or two items that share a
    /// seed is an Error whose message quotes the text and says what was expected.
    static Result<SeedSet> parse(const std::string& text);

    std::uint64_t count() const { return count_; }
    /// The seed at `position` (0-based) in ascending order.
    std::uint64_t at(std::uint64_t position) const;

private:
    std::vector<SeedRange> ranges_;  // ascending, disjoint
    std::uint64_t count_ = 0;
};

}  // namespace raftlink::simulate
