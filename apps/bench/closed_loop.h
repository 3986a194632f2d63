// SPDX-License-Identifier: MIT
// The closed loop: N connections, each sending its next request as soon as the previous
// answer arrives. It measures the most the server sustains with N requests in flight; its
// latencies are not those of an open system (a slow answer delays the requests behind it).
#pragma once

#include "apps/bench/load_worker.h"

namespace raftlink::bench {

struct ClosedLoopSettings {
    /// Concurrent connections (requests in flight), >= 1, spread over the threads.
    unsigned connections = 64;
    /// Stop launching after this long; 0 means no time limit (then requests_max must be set).
    DurationNs duration = 30 * second;
    /// If > 0, launch at most this many requests in total.
    std::uint64_t requests_max = 0;
};

/// Runs until the duration has passed or requests_max were launched, and every launched
/// request was answered, or until Ctrl-C. Throws std::runtime_error if the endpoint does not
/// resolve.
RunRecord run_closed_loop(const RequestTarget& target, const LoadSettings& settings,
                          const ClosedLoopSettings& pacing);

}  // namespace raftlink::bench
