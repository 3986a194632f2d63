// SPDX-License-Identifier: MIT
// How `bench cluster` shows its results: a header and vegeta's table per phase as it ends,
// one line per failover run, and at the end a markdown summary table (the seed's figures)
// and, on request, the whole report as JSON.
#pragma once

#include <string>

#include "apps/bench/cluster_profile.h"

namespace raftlink::bench {

/// "=== title ===", vegeta's table, and the late-launch line for open loops.
std::string format_phase(const PhaseResult& phase);

/// "failover 2/3: killed leader node 1 (pid 4242); node 3 answered 201 after 312.5ms (154
/// attempts)".
std::string format_failover(const FailoverRun& run, unsigned index, unsigned runs);

/// The fill phase's RSS, or its restart figures once the node was restarted.
std::string format_fill(const FillResult& fill, bool restarted);

/// "1: 12.3 MiB, 2: 11.9 MiB, 3: 12.0 MiB".
std::string format_memory(const std::vector<NodeMemory>& memory);

/// The summary as a markdown table: write p50/p99 at the high rate, write p99 at the low rate,
/// maximum writes per second, follower read p99, failover times with min and max, RSS.
std::string format_summary_markdown(const ClusterReport& report);

/// The whole report as a JSON document (every phase with vegeta's figures).
std::string cluster_json(const ClusterReport& report);

}  // namespace raftlink::bench
