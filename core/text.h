// SPDX-License-Identifier: MIT
// String building for trace lines and error messages, without iostream state leaking out.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "core/types.h"

namespace raftlink {

/// Concatenates the textual form of each argument (as operator<< prints it).
template <typename... Parts>
std::string concat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

/// A duration in milliseconds with three decimals, e.g. 5243.112 (the trace's timeout format).
inline std::string format_millis(Nanos duration) {
    const std::int64_t micros = duration / 1000;
    std::string fraction = std::to_string(micros % 1000);
    fraction.insert(0, 3 - fraction.size(), '0');
    return std::to_string(micros / 1000) + "." + fraction;
}

}  // namespace raftlink
