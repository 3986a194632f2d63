// SPDX-License-Identifier: MIT
// fsm::ByteRun: appends pack bytes one after another, growth keeps them, and erasing the
// front moves the rest down.
#include <doctest/doctest.h>

#include <string>

#include "core/fsm/byte_run.h"

namespace raftlink::fsm {
namespace {

TEST_SUITE("fsm") {

TEST_CASE("byte run: appends are packed in order and survive growth") {
    ByteRun run;
    CHECK_EQ(run.size(), 0U);
    run.append("");
    CHECK_EQ(run.capacity(), 0U);
    std::string expected;
    for (int i = 0; i < 200; ++i) {
        const std::string piece = "key-" + std::to_string(i);
        run.append(piece);
        expected += piece;
        REQUIRE_EQ(run.size(), expected.size());
        CHECK_LE(run.size(), run.capacity());
    }
    CHECK_EQ(run.view(0, run.size()), expected);
    CHECK_EQ(run.view(4, 1), "0");
}

TEST_CASE("byte run: reserved room is used without moving the bytes") {
    ByteRun run;
    run.reserve(64);
    CHECK_EQ(run.capacity(), 64U);
    run.append("abc");
    const char* const data = run.data();
    run.append(std::string(61, 'x'));
    CHECK_EQ(run.data(), data);
    CHECK_EQ(run.size(), 64U);
    run.reserve(10);  // never shrinks
    CHECK_EQ(run.capacity(), 64U);
    CHECK_EQ(run.view(0, 4), "abcx");
}

TEST_CASE("byte run: erasing the front keeps the rest") {
    ByteRun run;
    run.append("oldest");
    run.append("newer");
    run.erase_front(0);
    CHECK_EQ(run.view(0, run.size()), "oldestnewer");
    run.erase_front(6);
    CHECK_EQ(run.view(0, run.size()), "newer");
    run.append("!");
    CHECK_EQ(run.view(0, run.size()), "newer!");
    run.erase_front(run.size());
    CHECK_EQ(run.size(), 0U);
}

}  // TEST_SUITE

}  // namespace
}  // namespace raftlink::fsm
