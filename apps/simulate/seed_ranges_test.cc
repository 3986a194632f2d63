// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "apps/simulate/seed_ranges.h"

namespace raftlink::simulate {
namespace {

std::vector<std::uint64_t> expand(const std::string& text) {
    const auto set = SeedSet::parse(text);
    REQUIRE(set.ok());
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t i = 0; i < set.value().count(); ++i) seeds.push_back(set.value().at(i));
    return seeds;
}

TEST_CASE("seed sets: ranges, single seeds and comma lists, in ascending order") {
    CHECK(expand("1..3") == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(expand("7") == std::vector<std::uint64_t>{7});
    CHECK(expand("0") == std::vector<std::uint64_t>{0});
    CHECK(expand("1..2,5,9..10") == std::vector<std::uint64_t>{1, 2, 5, 9, 10});
    CHECK(expand("9..10,5,1..2") == std::vector<std::uint64_t>{1, 2, 5, 9, 10});
    CHECK(SeedSet::parse("1..100,250,900..1000").value().count() == 202);
    CHECK(expand("18446744073709551615") == std::vector<std::uint64_t>{18446744073709551615ull});
}

TEST_CASE("seed sets: ill-formed, empty, overlapping and oversized sets are refused") {
    const std::pair<const char*, const char*> bad[] = {
        {"", "an empty item"},
        {"9..1", "the range \"9..1\" is empty"},
        {"1..", "\"1..\" is not a seed or range"},
        {"..5", "\"..5\" is not a seed or range"},
        {"1...5", "\"1...5\" is not a seed or range"},
        {"1-5", "\"1-5\" is not a seed or range"},
        {"-1", "\"-1\" is not a seed or range"},
        {"+1", "\"+1\" is not a seed or range"},
        {" 1", "\" 1\" is not a seed or range"},
        {"x", "\"x\" is not a seed or range"},
        {"1,,2", "an empty item"},
        {"1..5,", "an empty item"},
        {"1..5,5", "seed 5 is listed twice"},
        {"3,1..10", "seed 3 is listed twice"},
        {"18446744073709551616", "is not a seed or range"},
        {"1..100000000000", "more than 100000000 seeds"},
        {"0..18446744073709551615", "more than 100000000 seeds"},
        {"1..60000000,70000000..130000000", "more than 100000000 seeds"},
    };
    for (const auto& [text, reason] : bad) {
        CAPTURE(text);
        const auto set = SeedSet::parse(text);
        REQUIRE_FALSE(set.ok());
        CHECK(set.error().message.find(reason) != std::string::npos);
        CHECK(set.error().message.find("expected A..B") != std::string::npos);
    }
}

}  // namespace
}  // namespace raftlink::simulate
