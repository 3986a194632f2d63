// SPDX-License-Identifier: MIT
// Short codes: a keyed bijection between log indexes and 7-character base62 codes, and a
// strict parser for codes that come from clients.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/fsm/short_code.h"
#include "core/prng.h"

namespace raftlink::fsm {
namespace {

constexpr std::string_view alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool well_formed(const std::string& code) {
    if (code.size() != short_code_length) return false;
    for (const char c : code) {
        if (alphabet.find(c) == std::string_view::npos) return false;
    }
    return true;
}

LogIndex random_index(Prng& prng) { return LogIndex(1 + prng.below(short_code_index_max - 1)); }

}  // namespace

TEST_SUITE("fsm") {

TEST_CASE("short_code: codes are 7 characters from [0-9A-Za-z]") {
    Prng prng = Prng::derive(1, "fsm_short_code_test", 0);
    for (std::uint64_t index = 1; index <= 10000; index++) {
        const std::string code = short_code_for(LogIndex(index), 7);
        CAPTURE(code);
        CHECK(well_formed(code));
    }
    for (int i = 0; i < 10000; i++) {
        const std::string code = short_code_for(random_index(prng), prng.next_u64());
        CAPTURE(code);
        CHECK(well_formed(code));
    }
    CHECK(well_formed(short_code_for(LogIndex(short_code_index_max - 1), 0)));
}

TEST_CASE("short_code: bijection has no collisions over 1..200000") {
    std::set<std::string> codes;
    for (std::uint64_t index = 1; index <= 200000; index++) {
        codes.insert(short_code_for(LogIndex(index), 0x5eed));
    }
    CHECK(codes.size() == 200000);
}

TEST_CASE("short_code: the inverse gives back the index") {
    Prng prng = Prng::derive(2, "fsm_short_code_test", 0);
    const std::uint64_t key = prng.next_u64();
    for (std::uint64_t index = 1; index <= 200000; index++) {
        const auto back = index_for_short_code(short_code_for(LogIndex(index), key), key);
        REQUIRE(back.has_value());
        REQUIRE(back->value == index);
    }
    for (int i = 0; i < 100000; i++) {
        const LogIndex index = random_index(prng);
        const std::uint64_t random_key = prng.next_u64();
        const auto back = index_for_short_code(short_code_for(index, random_key), random_key);
        REQUIRE(back.has_value());
        REQUIRE(*back == index);
    }
    const LogIndex last(short_code_index_max - 1);
    CHECK(index_for_short_code(short_code_for(last, key), key) == last);
}

TEST_CASE("short_code: every well-formed code is the code of its inverse, or of index 0") {
    // The map is onto the whole code space, so parsing any valid code and encoding the
    // result must give the same code back; only index 0's code has no entry.
    Prng prng = Prng::derive(3, "fsm_short_code_test", 0);
    const std::uint64_t key = prng.next_u64();
    const std::string edges[] = {"0000000", "zzzzzzz", "0000001", "ZZZZZZZ", "a0A9zZ0"};
    for (const std::string& code : edges) {
        const auto index = index_for_short_code(code, key);
        if (index.has_value()) CHECK(short_code_for(*index, key) == code);
    }
    for (int i = 0; i < 100000; i++) {
        std::string code(short_code_length, '0');
        for (char& c : code) c = alphabet[prng.below(alphabet.size())];
        const auto index = index_for_short_code(code, key);
        REQUIRE(index.has_value());  // One chance in 62^7 of hitting index 0's code.
        REQUIRE(short_code_for(*index, key) == code);
    }
}

TEST_CASE("short_code: different keys give different codes") {
    for (std::uint64_t index = 1; index <= 10000; index++) {
        const LogIndex log_index(index);
        CAPTURE(index);
        CHECK(short_code_for(log_index, 1) != short_code_for(log_index, 2));
        CHECK(short_code_for(log_index, 0) != short_code_for(log_index, UINT64_MAX));
    }
    // A code decoded under the wrong key names some other index (or none).
    const std::string code = short_code_for(LogIndex(5), 1);
    CHECK(index_for_short_code(code, 2) != LogIndex(5));
}

TEST_CASE("short_code: consecutive indexes do not give similar codes") {
    // Codes should not reveal how many URLs exist: leading characters spread over the alphabet.
    std::set<char> first_characters;
    std::set<char> last_characters;
    for (std::uint64_t index = 1; index <= 2000; index++) {
        const std::string code = short_code_for(LogIndex(index), 99);
        first_characters.insert(code.front());
        last_characters.insert(code.back());
    }
    CHECK(first_characters.size() == alphabet.size());
    CHECK(last_characters.size() == alphabet.size());
}

TEST_CASE("short_code: malformed codes are rejected") {
    const std::string_view cases[] = {
        "",
        "abc",
        "abcdef",              // one short
        "abcdefgh",            // one long
        "abc-efg",
        "abc_efg",
        "abc efg",
        "abcdef=",
        "/abcdef",
        std::string_view("abc\0efg", 7),
        "abc\xff" "efg",
        "\xc3\xa9" "bcdef",    // a two-byte UTF-8 character in seven bytes
    };
    for (const std::string_view code : cases) {
        CAPTURE(code);
        CHECK_FALSE(index_for_short_code(code, 0).has_value());
        CHECK_FALSE(index_for_short_code(code, 12345).has_value());
    }
}

TEST_CASE("short_code: codes are stable across builds (golden values)") {
    // Codes are handed to clients and rebuilt from snapshots; if this test fails, existing
    // short links would resolve to different URLs. Do not update the table: fix the code.
    struct Case {
        std::uint64_t key;
        std::uint64_t index;
        const char* code;
    };
    const Case cases[] = {
        {0ULL, 1ULL, "BwVSbaV"},
        {0ULL, 2ULL, "SASqF3b"},
        {0ULL, 3ULL, "c9bUmMq"},
        {0ULL, 1000ULL, "3TXQeqW"},
        {0ULL, 1000000ULL, "yv3K14s"},
        {0ULL, 3521614606207ULL, "FbJKoq4"},
        {42ULL, 1ULL, "rMVF8kN"},
        {42ULL, 2ULL, "Xe6031e"},
        {42ULL, 1000ULL, "w9kbth7"},
        {42ULL, 3521614606207ULL, "RT3mk7b"},
        {0xdeadbeefcafef00dULL, 1ULL, "uZjTjNL"},
        {0xdeadbeefcafef00dULL, 1000000ULL, "PGO9Cbb"},
        {0xdeadbeefcafef00dULL, 3521614606207ULL, "SR0WBKA"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key);
        CAPTURE(c.index);
        CHECK(short_code_for(LogIndex(c.index), c.key) == c.code);
        CHECK(index_for_short_code(c.code, c.key) == LogIndex(c.index));
    }
}

}  // TEST_SUITE

}  // namespace raftlink::fsm

TEST_CASE("short_code: the HTTP API's paths are never handed out as codes") {
    // "healthz" and "metrics" are well-formed 7-character codes; find the indexes that the
    // plain permutation would have given them (by inverting it) and check they get other codes.
    for (const std::uint64_t key : {std::uint64_t{42}, std::uint64_t{7}, std::uint64_t{0}}) {
        CAPTURE(key);
        for (const char* path : {"healthz", "metrics"}) {
            CHECK_FALSE(raftlink::fsm::index_for_short_code(path, key).has_value());
        }
    }
}
