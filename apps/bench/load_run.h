// SPDX-License-Identifier: MIT
// One load run from plan to figures: runs the open or closed loop the description asks for,
// with the progress line, and summarizes the record. Both `bench attack` and every phase of
// `bench cluster` go through here.
#pragma once

#include "apps/bench/load_worker.h"
#include "apps/bench/progress.h"
#include "apps/bench/run_description.h"
#include "apps/bench/run_metrics.h"

namespace raftlink::bench {

struct LoadPlan {
    /// The pacing (mode, rate or connections, duration, request bound) and latency origin.
    RunDescription description;
    /// Endpoint, timeout, threads, id collection. The progress pointer is set by execute_load.
    LoadSettings settings;
    /// Open loop: the bound on open connections.
    std::size_t connections_max = 1024;
    ProgressMode progress = ProgressMode::Auto;
};

struct LoadRun {
    RunDescription description;
    RunRecord record;
    RunMetrics metrics;
};

/// Runs plan against target. Throws std::runtime_error when the endpoint does not resolve.
LoadRun execute_load(const RequestTarget& target, const LoadPlan& plan);

}  // namespace raftlink::bench
