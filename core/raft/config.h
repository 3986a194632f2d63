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
    /// Bounds on one AppendEntries message, by entry count and by the bytes of the entries'
    /// data (one entry always goes, whatever its size; keep the bytes well under the
    /// transport's frame limit), and on how many appends with entries may be in flight per
    /// follower (the pipelining window, §10.2.1 of the thesis).
    std::size_t entries_per_append_max = 64;
    std::size_t entries_bytes_per_append_max = 1 << 20;
    std::size_t inflight_appends_max = 8;
    /// How many storage writes the node hands out before the first of them is durable. Beyond
    /// it, new entries wait in the node and go out together in one write once a slot frees.
    std::size_t storage_writes_inflight_max = 64;
    /// At most this many committed entries go into one Ready; the rest follow in the next
    /// ones. A node restarted with a long log learns the commit index in one message; handing
    /// it the whole log at once would copy every entry twice (the log's scratch and the Ready)
    /// and leave hundreds of MiB of freed heap behind (1M URLs: 312 MiB peak, 235 MiB held).
    std::size_t committed_entries_per_ready_max = 4096;
    /// The seed's replication model, for comparison only: entries leave the leader only on a
    /// heartbeat tick (never at proposal, acknowledgement or commit), so a write waits half a
    /// heartbeat interval on average (the seed's E[w] = heartbeatInterval/2 + round trips).
    bool replicate_on_heartbeat_only = false;
    /// Pre-Vote (thesis §9.6): a node campaigns only after a majority says it could win, so
    /// a node rejoining from a partition does not disrupt a healthy leader with a higher term.
    bool pre_vote = true;
    /// CheckQuorum (thesis §6.2): a leader that has not heard from a majority within an
    /// election timeout steps down, and a node that heard from a leader within the minimum
    /// election timeout ignores vote requests (the leader's lease).
    bool check_quorum = true;
    /// When false, the node produces no trace lines (saves formatting in hot paths).
    bool trace_enabled = true;
};

/// Returns a description of the first invalid setting, or nullopt when the config is valid.
std::optional<std::string> validate(const Config& config);

}  // namespace raftlink::raft
