// SPDX-License-Identifier: MIT
// Assertions that stay on in every build type (TigerBeetle's rule: a broken invariant must
// stop the process loudly rather than let it write wrong data).
//
// ASSERT_EQ and friends print both values. The environment may install a context hook (the
// simulator prints the seed and the replay command there). Never assert on untrusted input:
// peer messages, HTTP bodies and disk bytes are validated and rejected as values instead.
#pragma once

#include <sstream>
#include <string>

namespace raftlink {

/// Called once, just before abort, with a line of context (e.g. "seed=42"). Returns the text.
using AssertContextHook = std::string (*)();

/// Installs the hook whose text is printed with every assertion failure (nullptr removes it).
void set_assert_context_hook(AssertContextHook hook);

[[noreturn]] void assert_fail(const char* expression, const char* file, int line,
                              const std::string& detail);

namespace detail {
template <typename A, typename B>
std::string describe_pair(const A& a, const B& b) {
    std::ostringstream out;
    out << "left=" << a << " right=" << b;
    return out.str();
}
}  // namespace detail

}  // namespace raftlink

#define ASSERT(condition)                                                        \
    do {                                                                         \
        if (!(condition)) ::raftlink::assert_fail(#condition, __FILE__, __LINE__, ""); \
    } while (false)

#define RAFTLINK_ASSERT_OP(a, op, b)                                              \
    do {                                                                          \
        const auto& raftlink_a_ = (a);                                            \
        const auto& raftlink_b_ = (b);                                            \
        if (!(raftlink_a_ op raftlink_b_))                                        \
            ::raftlink::assert_fail(#a " " #op " " #b, __FILE__, __LINE__,        \
                ::raftlink::detail::describe_pair(raftlink_a_, raftlink_b_));     \
    } while (false)

#define ASSERT_EQ(a, b) RAFTLINK_ASSERT_OP(a, ==, b)
#define ASSERT_NE(a, b) RAFTLINK_ASSERT_OP(a, !=, b)
#define ASSERT_LT(a, b) RAFTLINK_ASSERT_OP(a, <, b)
#define ASSERT_LE(a, b) RAFTLINK_ASSERT_OP(a, <=, b)
#define ASSERT_GT(a, b) RAFTLINK_ASSERT_OP(a, >, b)
#define ASSERT_GE(a, b) RAFTLINK_ASSERT_OP(a, >=, b)
#define UNREACHABLE() ::raftlink::assert_fail("unreachable", __FILE__, __LINE__, "")
