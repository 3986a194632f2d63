// SPDX-License-Identifier: MIT
// The open loop: request k is launched at start + k / rate, whether or not earlier requests
// have been answered, so a slow server cannot slow the generator down and hide its own
// slowness (no coordinated omission). A request that finds every connection busy opens a new
// one, up to connections_max; beyond that it waits, and the wait counts in its latency.
//
// If the generator itself falls behind (a busy machine), launches are late; every launch more
// than late_launch_threshold behind its schedule is counted in RunRecord::late_launches.
#pragma once

#include "apps/bench/load_worker.h"

namespace raftlink::bench {

struct OpenLoopSettings {
    /// Requests per second, > 0.
    double rate = 50;
    /// How long to launch requests; the run launches floor(rate * duration) requests.
    DurationNs duration = 30 * second;
    /// If > 0, launch at most this many.
    std::uint64_t requests_max = 0;
    /// Open connections allowed at once, over all threads.
    std::size_t connections_max = 1024;
};

/// The number of requests an open loop with these settings launches.
std::uint64_t open_loop_request_count(const OpenLoopSettings& pacing);

/// When request `sequence` is due, in nanoseconds since the run's start.
DurationNs open_loop_schedule(double rate, std::uint64_t sequence);

/// Runs the loop to completion (every launched request answered or timed out) or until
/// Ctrl-C stops the launches. Throws std::runtime_error if the endpoint does not resolve.
RunRecord run_open_loop(const RequestTarget& target, const LoadSettings& settings,
                        const OpenLoopSettings& pacing);

}  // namespace raftlink::bench
