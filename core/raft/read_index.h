// SPDX-License-Identifier: MIT
// Linearizable reads without log writes: ReadIndex (Raft thesis §6.4).
//
// A leader that receives a read notes its commit index and starts a new heartbeat round;
// once a majority (itself included) has answered a heartbeat of that round or a later one, no
// other leader can have been elected before the round began, so every write acknowledged
// before the read arrived is at or below the noted index. The state machine may then answer
// the read as soon as it has applied that index. This class only does the bookkeeping; the
// node sends the heartbeats. Rounds only grow; a leader that steps down clears everything.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "core/types.h"

namespace raftlink::raft {

/// A read the leader has confirmed: answer it once the applied index reaches `index`.
struct ReadState {
    std::uint64_t id = 0;
    LogIndex index;

    bool operator==(const ReadState&) const = default;
};

/// Bounds the reads waiting for confirmation; a leader refuses more (the client retries).
constexpr std::size_t pending_reads_max = 65536;

class ReadIndexTracker {
public:
    bool full() const { return pending_.size() >= pending_reads_max; }
    bool empty() const { return pending_.empty(); }
    /// The newest round started, 0 before the first; heartbeats carry it.
    std::uint64_t latest_round() const { return next_round_ - 1; }

    /// Registers read `id` at commit index `index` under a new round, which it returns.
    /// Precondition: !full().
    std::uint64_t add(std::uint64_t id, LogIndex index);
    /// `peer` answered a heartbeat of `round` (or of a later one) in the current term.
    void acknowledge(NodeId peer, std::uint64_t round);
    /// Removes and returns, oldest first, the reads whose round a majority of `voter_count`
    /// voters has confirmed (the leader counts itself).
    std::vector<ReadState> take_confirmed(std::size_t voter_count);
    /// Forgets every pending read and acknowledgement (the node is no longer leader).
    void clear();

private:
    struct Pending {
        ReadState read;
        std::uint64_t round = 0;
    };
    std::deque<Pending> pending_;           // rounds strictly increasing
    std::map<NodeId, std::uint64_t> acknowledged_round_;
    std::uint64_t next_round_ = 1;
};

}  // namespace raftlink::raft
