// SPDX-License-Identifier: MIT
// Go's time.Duration.String and vegeta's rounding, checked against outputs of Go itself
// (fmt.Println(time.Duration(n))) and of `vegeta report`.
#include "apps/bench/go_duration.h"

#include <doctest/doctest.h>

#include <limits>

using namespace raftlink::bench;

TEST_CASE("go_duration: formats like time.Duration.String") {
    struct Case {
        DurationNs duration;
        const char* want;
    };
    const Case cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1\u00b5s"},
        {767910, "767.91\u00b5s"},
        {1100 * microsecond, "1.1ms"},
        {26695000, "26.695ms"},
        {26914123, "26.914123ms"},
        {second, "1s"},
        {30028 * millisecond, "30.028s"},
        {59997 * millisecond, "59.997s"},
        {minute, "1m0s"},
        {90 * second, "1m30s"},
        {hour + 2 * minute + 3500 * millisecond, "1h2m3.5s"},
        {-1500 * millisecond, "-1.5s"},
        {std::numeric_limits<DurationNs>::min(), "-2562047h47m16.854775808s"},
        {std::numeric_limits<DurationNs>::max(), "2562047h47m16.854775807s"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.duration);
        CHECK(format_go_duration(c.duration) == c.want);
    }
}

TEST_CASE("go_duration: Round rounds halves away from zero") {
    CHECK(round_go_duration(1500, 1000) == 2000);
    CHECK(round_go_duration(1499, 1000) == 1000);
    CHECK(round_go_duration(-1500, 1000) == -2000);
    CHECK(round_go_duration(-1499, 1000) == -1000);
    CHECK(round_go_duration(7, 0) == 7);
    CHECK(round_go_duration(std::numeric_limits<DurationNs>::max(), second) ==
          std::numeric_limits<DurationNs>::max());
}

TEST_CASE("go_duration: vegeta rounds to the unit below the magnitude") {
    struct Case {
        DurationNs duration;
        const char* want;
    };
    const Case cases[] = {
        {767910, "767.91\u00b5s"},  // below 1ms: kept to the nanosecond
        {26914123, "26.914ms"},     // ms: rounded to µs
        {3854499, "3.854ms"},
        {3854500, "3.855ms"},
        {59997123456, "59.997s"},  // s: rounded to ms
        {59990000000, "59.99s"},
        {60 * second + 400 * millisecond, "1m0s"},  // m: rounded to s
        {hour + 29 * second, "1h0m0s"},             // h: rounded to minutes
        {999, "999ns"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.duration);
        CHECK(format_vegeta_duration(c.duration) == c.want);
    }
}

TEST_CASE("go_duration: parses Go durations and plain seconds") {
    CHECK(parse_duration("10s") == 10 * second);
    CHECK(parse_duration("1m30s") == 90 * second);
    CHECK(parse_duration("250ms") == 250 * millisecond);
    CHECK(parse_duration("1.5h") == 90 * minute);
    CHECK(parse_duration("800us") == 800 * microsecond);
    CHECK(parse_duration("800\u00b5s") == 800 * microsecond);
    CHECK(parse_duration("5ns") == 5);
    CHECK(parse_duration("2") == 2 * second);
    CHECK(parse_duration("0.5") == 500 * millisecond);
    CHECK(parse_duration("0") == 0);
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("10x"));
    CHECK_FALSE(parse_duration("s"));
    CHECK_FALSE(parse_duration("-1s"));
    CHECK_FALSE(parse_duration("-3"));
    CHECK_FALSE(parse_duration("1s-2s"));
    CHECK_FALSE(parse_duration("nan"));
}
