// SPDX-License-Identifier: MIT
// The settings of one Raft node. Times are durations in nanoseconds (continuous time, so a
// 150-151 ms election timeout keeps its resolution).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"

namespace raftlink::raft {

struct Config {
    NodeId id;
    /// Every voting member, including `id`, in any order.
    std::vector<NodeId> voters;
    /// Election timeouts are drawn uniformly from [min, max] at each new election timer (§5.2).
    Nanos election_timeout_min = ms(150);
    Nanos election_timeout_max = ms(300);
    /// How often a leader sends AppendEntries to an idle follower; must be < the election min.
    Nanos heartbeat_interval = ms(50);
    /// Seeds the node's own generator (election timeouts). The node has no other randomness.
    std::uint64_t seed = 0;
    /// Bounds on one AppendEntries message and on how many may be in flight per follower.
    std::size_t entries_per_append_max = 64;
    std::size_t inflight_appends_max = 8;
    /// When false, the node produces no trace lines (saves formatting in hot paths).
    bool trace_enabled = true;
};

/// Returns a description of the first invalid setting, or nullopt when the config is valid.
std::optional<std::string> validate(const Config& config);

}  // namespace raftlink::raft
