// SPDX-License-Identifier: MIT
#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace raftlink {
namespace {
AssertContextHook context_hook = nullptr;
}  // namespace

void set_assert_context_hook(AssertContextHook hook) { context_hook = hook; }

void assert_fail(const char* expression, const char* file, int line,
                 const std::string& detail) {
    std::fprintf(stderr, "assertion failed: %s at %s:%d", expression, file, line);
    if (!detail.empty()) std::fprintf(stderr, " (%s)", detail.c_str());
    std::fprintf(stderr, "\n");
    if (context_hook != nullptr) {
        const std::string context = context_hook();
        std::fprintf(stderr, "%s\n", context.c_str());
    }
    std::fflush(stderr);
    std::abort();
}

}  // namespace raftlink
