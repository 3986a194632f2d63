// SPDX-License-Identifier: MIT
// The seed's benchmark profile, run against a LocalCluster:
//   1. creates on the leader, open loop at 100/s, then at 1000/s (their ids are kept);
//   2. stale reads of those ids on a follower, open loop at 1000/s;
//   3. creates on the leader, closed loop with 64 connections (the maximum write rate);
//   4. optionally (--fill N): N creates as fast as possible, each node's RSS, then a follower
//      restarted (SIGTERM, start) and timed until it answers /healthz and has caught up;
//   5. failover: the leader SIGKILLed, the time until a create succeeds again, repeated, with
//      the killed node restarted and caught up between runs;
// and each node's RSS after the load phases and at the end.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apps/bench/failover.h"
#include "apps/bench/load_run.h"
#include "apps/bench/local_cluster.h"

namespace raftlink::bench {

struct ProfileOptions {
    /// The length of each load phase.
    DurationNs phase_duration = 10 * second;
    double write_rate_low = 100;
    double write_rate_high = 1000;
    double read_rate = 1000;
    unsigned closed_connections = 64;
    unsigned failover_runs = 3;
    /// Phase 4 when > 0: this many URLs created before measuring RSS and a restart.
    std::uint64_t fill = 0;
    /// Per request.
    DurationNs request_timeout = 10 * second;
    /// For a leader to emerge, a node to catch up, a create to succeed after a kill.
    DurationNs leader_deadline = 20 * second;
    unsigned threads = 1;
    ProgressMode progress = ProgressMode::Auto;
};

struct PhaseResult {
    /// A short name for files and JSON ("write-100", "read-follower-1000", "write-max").
    std::string key;
    /// The header printed above its table.
    std::string title;
    unsigned node = 0;
    LoadRun run;
    /// The leader and term as the loaded node saw them before and after the phase (0 when it
    /// did not answer), to tell a slow phase from one that lived through an election.
    std::uint64_t leader_before = 0;
    std::uint64_t term_before = 0;
    std::uint64_t leader_after = 0;
    std::uint64_t term_after = 0;
};

struct NodeMemory {
    unsigned node = 0;
    pid_t pid = -1;
    std::optional<std::uint64_t> resident_set_kib;
};

struct FillResult {
    PhaseResult phase;
    std::uint64_t commit_index = 0;
    /// URLs stored on the leader after the fill (the earlier phases' creates included).
    std::uint64_t urls = 0;
    std::vector<NodeMemory> memory;
    unsigned restarted_node = 0;
    /// From SIGTERM to the process's exit.
    DurationNs stop_time = 0;
    /// From the new process's start to its first 200 on /healthz.
    DurationNs healthy_time = 0;
    /// From the new process's start until it has applied commit_index.
    DurationNs caught_up_time = 0;
    std::optional<std::uint64_t> resident_set_kib_after_restart;
};

struct ClusterReport {
    unsigned nodes = 0;
    std::vector<std::string> node_arguments;
    ProfileOptions options;
    std::vector<PhaseResult> phases;
    std::optional<FillResult> fill;
    std::vector<FailoverRun> failovers;
    std::vector<NodeMemory> memory_after_load;
    std::vector<NodeMemory> memory_at_end;
};

/// Callbacks so that the command prints each result as soon as it exists.
struct ProfileListener {
    std::function<void(const std::string& line)> on_note;
    std::function<void(const PhaseResult&)> on_phase;
    /// After the fill's RSS is measured, and again after the restart.
    std::function<void(const FillResult&, bool restarted)> on_fill;
    std::function<void(const FailoverRun&, unsigned run, unsigned runs)> on_failover;
};

/// Starts the cluster's nodes, runs the profile, and returns everything measured. Throws
/// NodeFailure or std::runtime_error on a failure, Interrupted on Ctrl-C; the cluster's owner
/// stops the nodes either way.
ClusterReport run_cluster_profile(LocalCluster& cluster, const ProfileOptions& options,
                                  const ProfileListener& listener);

}  // namespace raftlink::bench
