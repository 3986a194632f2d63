// SPDX-License-Identifier: MIT
// Failover time as a client sees it: from the SIGKILL of the leader to the first create that
// succeeds again. Every surviving node is sent a create every failover_poll_interval (a
// follower answers 409 naming the old leader until it notices the loss; the new leader
// answers 201 once it has committed), so the figure includes failure detection (the election
// timeout), the election, and the first commit of the new term.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "apps/bench/local_cluster.h"

namespace raftlink::bench {

/// Each surviving node gets a create this often while none has succeeded.
constexpr DurationNs failover_poll_interval = 2 * millisecond;

struct FailoverRun {
    unsigned killed_node = 0;
    pid_t killed_pid = -1;
    /// From just before kill(2) to the arrival of the first 201.
    DurationNs time_to_first_create = 0;
    /// The node that answered it: the new leader.
    unsigned new_leader = 0;
    /// Creates sent to all survivors until then.
    std::uint64_t attempts = 0;
};

/// Kills `leader` with SIGKILL and measures until a create succeeds on a survivor. Throws
/// NodeFailure if none succeeds within deadline. The killed node stays down.
FailoverRun measure_failover(LocalCluster& cluster, unsigned leader, DurationNs deadline);

}  // namespace raftlink::bench
