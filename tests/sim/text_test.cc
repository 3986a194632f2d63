// SPDX-License-Identifier: MIT
// concat (core/text.h) appends strings, characters, integers and strong ids directly instead
// of through a stream, for speed; traces must not change by a byte, so every direct path is
// compared with what operator<< prints. (Here rather than in tests/core because the simulator
// is what depends on it being fast and byte-identical.)
#include "core/text.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>

namespace raftlink {
namespace {

template <typename... Parts>
std::string streamed(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

TEST_SUITE("sim") {
    TEST_CASE("text: concat prints exactly what operator<< prints") {
        const std::string text = "text";
        const std::string_view view = "view";
        const char* c_string = "c-string";
        char buffer[16] = "buf";  // a stream prints up to the NUL, not the array's size
        const std::uint8_t byte = 65;  // unsigned char: a character for a stream
        const signed char small = 66;
        CHECK(concat(text, ' ', view, c_string, buffer) == streamed(text, ' ', view, c_string, buffer));
        CHECK(concat(byte, small) == streamed(byte, small));
        CHECK(concat(true, false) == streamed(true, false));
        CHECK(concat(0, -1, 42U, std::numeric_limits<std::int64_t>::min(),
                     std::numeric_limits<std::uint64_t>::max(), std::size_t{7}, short{-3}) ==
              streamed(0, -1, 42U, std::numeric_limits<std::int64_t>::min(),
                       std::numeric_limits<std::uint64_t>::max(), std::size_t{7}, short{-3}));
        CHECK(concat(NodeId(3), Term(12), LogIndex(99)) == "31299");
        CHECK(concat("node ", NodeId(3), " term ", Term(12)) ==
              streamed("node ", NodeId(3), " term ", Term(12)));
        CHECK(concat(1.5, " ", 0.1) == streamed(1.5, " ", 0.1));
        CHECK(concat("hash ", std::hex, 255, std::dec, " ", 255) == "hash ff 255");
        CHECK(concat() == "");
    }

    TEST_CASE("text: append_text appends what concat builds") {
        std::string out = "https://example.com/c3/";
        append_text(out, std::uint64_t{18446744073709551615U}, '/', NodeId(4), "x");
        CHECK(out == concat("https://example.com/c3/", std::numeric_limits<std::uint64_t>::max(),
                            '/', NodeId(4), "x"));
        append_text(out);
        CHECK(out.ends_with("/4x"));
    }
}

}  // namespace
}  // namespace raftlink
