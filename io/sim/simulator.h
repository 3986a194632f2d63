// SPDX-License-Identifier: MIT
// Runs one scenario with one seed: boots the cluster, drives the workload and the fault
// timeline, checks every property after every event, and reports the outcome.
//
// Everything random derives from the seed, so the same scenario, seed and binary give the
// same trace, byte for byte.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <string>

#include "io/sim/checker.h"
#include "io/sim/history.h"
#include "io/sim/scenario.h"
#include "io/sim/workload.h"

namespace raftlink::sim {

struct RunOptions {
    std::uint64_t seed = 1;
    /// Where the trace goes; null for none (the tail and hash are still kept).
    std::ostream* trace = nullptr;
    /// Merge election timer lines as the seed's goroutines raced (core/raft/trace_line.h).
    bool interleave_trace = false;
    /// False: no trace line is produced or formatted (the nodes run with trace_enabled off).
    /// The run is otherwise the same (events, history, verdict); the outcome's trace hash,
    /// line count and tail are then empty. Sweeps use it; a failure they find replays with
    /// tracing on to show its trace.
    bool trace_enabled = true;
    /// Where the client history goes as JSON lines (Jepsen style); null for none.
    std::ostream* history = nullptr;
};

struct Outcome {
    std::optional<Violation> violation;
    Nanos failed_at = 0;               // virtual time of the violation
    std::uint64_t failed_event = 0;    // the event after which it was found
    std::uint64_t events = 0;
    Nanos simulated = 0;
    std::uint64_t trace_hash = 0;
    std::uint64_t trace_lines = 0;
    std::deque<std::string> trace_tail;
    WorkloadStats workload;
    std::uint64_t messages_sent = 0;
    std::uint64_t fsyncs = 0;
    std::uint64_t leader_changes = 0;
    bool liveness_checked = false;
    /// Client operations in the history (a create with all its retries is one).
    std::uint64_t operations = 0;
    /// What the end-of-run linearizability check covered; inconclusive short ids exceeded
    /// its search bounds (io/sim/linearizability.h) and were neither passed nor failed.
    std::uint64_t linearizable_reads_checked = 0;
    std::uint64_t linearizability_keys_checked = 0;
    std::uint64_t linearizability_keys_inconclusive = 0;
    /// Invoke-to-ok latencies of acknowledged creates and of answered reads (virtual time).
    LatencySummary create_latency;
    LatencySummary read_latency;

    bool ok() const { return !violation.has_value(); }
};

Outcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace raftlink::sim
