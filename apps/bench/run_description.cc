// SPDX-License-Identifier: MIT
#include "apps/bench/run_description.h"

#include <fmt/format.h>

namespace raftlink::bench {

std::string describe(const RunDescription& description) {
    std::string pacing;
    if (description.mode == LoopMode::Open) {
        pacing = fmt::format("open loop, {:g}/s", description.rate);
    } else {
        pacing = fmt::format("closed loop, {} connections", description.connections);
    }
    std::string bound;
    if (description.duration > 0 && description.requests_max > 0) {
        bound = fmt::format(" for {}, at most {} requests",
                            format_go_duration(description.duration), description.requests_max);
    } else if (description.duration > 0) {
        bound = " for " + format_go_duration(description.duration);
    } else if (description.requests_max > 0) {
        bound = fmt::format(" for {} requests", description.requests_max);
    }
    return fmt::format("{} {}, {}{}", description.target, description.url, pacing, bound);
}

const char* mode_name(LoopMode mode) {
    return mode == LoopMode::Open ? "open" : "closed";
}

const char* latency_origin_name(LatencyOrigin origin) {
    return origin == LatencyOrigin::Sent ? "sent" : "scheduled";
}

}  // namespace raftlink::bench
