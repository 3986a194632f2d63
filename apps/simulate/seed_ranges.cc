// SPDX-License-Identifier: MIT
#include "apps/simulate/seed_ranges.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::simulate {
namespace {

/// Digits only: from_chars alone would accept neither signs nor spaces, which is what we want,
/// but it stops at the first non-digit, so the whole text must be consumed.
std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

Error seeds_error(const std::string& text, const std::string& reason) {
    return make_error(ErrorCode::Malformed,
                      concat("--seeds: ", reason, " in \"", text,
                             "\"; expected A..B with A <= B, a single N, or a comma list such as "
                             "1..100,250,900..1000"));
}

}  // namespace

Result<SeedSet> SeedSet::parse(const std::string& text) {
    SeedSet set;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = std::string_view(text).substr(start, comma - start);
        const std::size_t dots = item.find("..");
        const auto first = parse_number(item.substr(0, dots));
        const auto last =
            dots == std::string_view::npos ? first : parse_number(item.substr(dots + 2));
        if (item.empty()) return seeds_error(text, "an empty item");
        if (!first || !last) {
            return seeds_error(text, concat("\"", item, "\" is not a seed or range"));
        }
        if (*first > *last) return seeds_error(text, concat("the range \"", item, "\" is empty"));
        set.ranges_.push_back(SeedRange{*first, *last});
        if (comma == text.size()) break;
        start = comma + 1;
    }
    std::sort(set.ranges_.begin(), set.ranges_.end(),
              [](const SeedRange& a, const SeedRange& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < set.ranges_.size(); ++i) {
        const SeedRange& range = set.ranges_[i];
        if (i > 0 && range.first <= set.ranges_[i - 1].last) {
            return seeds_error(text, concat("seed ", range.first, " is listed twice"));
        }
        const std::uint64_t size = range.last - range.first;  // one less than the count
        if (size >= seeds_per_scenario_max || set.count_ + size + 1 > seeds_per_scenario_max) {
            return seeds_error(text, concat("more than ", seeds_per_scenario_max, " seeds"));
        }
        set.count_ += size + 1;
    }
    return set;
}

std::uint64_t SeedSet::at(std::uint64_t position) const {
    ASSERT_LT(position, count_);
    for (const SeedRange& range : ranges_) {
        const std::uint64_t size = range.last - range.first + 1;
        if (position < size) return range.first + position;
        position -= size;
    }
    UNREACHABLE();
}

}  // namespace raftlink::simulate
