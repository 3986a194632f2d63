// SPDX-License-Identifier: MIT
// Progress: the leader's view of one follower (Raft §5.3: nextIndex and matchIndex), plus the
// window of AppendEntries in flight to it (etcd's Progress and Inflights).
//
// Invariants: match_index < next_index; `inflight` is strictly increasing and every element
// lies in (match_index, next_index - 1]. match_index only grows, except when the follower
// proves it lost entries it acknowledged (on_rejected); the leader's commit index never goes
// back because of that. Pure bookkeeping: the node decides what to send.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "core/types.h"

namespace raftlink::raft {

struct Progress {
    LogIndex match_index;
    LogIndex next_index{1};
    /// The last index of each AppendEntries sent with entries and not yet acknowledged, oldest
    /// first. Bounded by Config::inflight_appends_max.
    std::deque<LogIndex> inflight;
    /// match_index at the previous heartbeat: if it has not moved while entries are missing,
    /// the appends in flight are presumed lost and sent again.
    LogIndex match_index_at_heartbeat;
    /// The highest commit index this follower was told; when the leader's is higher and
    /// nothing else goes out, a heartbeat carries it at once.
    LogIndex commit_index_sent;
    /// Whether the follower answered since the last quorum check (CheckQuorum).
    bool recent_active = false;
    /// Whether the follower answered anything since the previous heartbeat.
    bool answered_since_heartbeat = false;
    /// Set when entries were missing for a whole heartbeat interval and the follower answered
    /// nothing meanwhile (it is down or cut off): it gets heartbeats only until it answers,
    /// rather than a batch of entries every interval (etcd's probe state pauses likewise).
    bool paused = false;

    /// Whether `inflight_max` appends are already unacknowledged.
    bool window_full(std::size_t inflight_max) const { return inflight.size() >= inflight_max; }
    /// Whether an append with entries may go now: not paused and room in the window.
    bool may_send(std::size_t inflight_max) const { return !paused && !window_full(inflight_max); }
    /// Any reply from the follower in this term: it is reachable, so a pause ends.
    void on_reply();
    /// An AppendEntries with entries next_index..last left. Precondition: last >= next_index.
    void on_append_sent(LogIndex last);
    /// The follower holds the leader's log up to `acknowledged` (§5.3); frees the window
    /// slots it covers. Older (reordered) acknowledgements change nothing.
    void on_acknowledged(LogIndex acknowledged);
    /// The follower rejected an append; it must be sent again from `retry` (the conflict hint,
    /// §5.3). Returns true if the follower no longer holds entries it acknowledged (it
    /// restarted from a disk that lost its tail, or the rejection is a reordered old one):
    /// match_index is lowered below `retry` so the follower can be repaired.
    bool on_rejected(LogIndex retry);
    /// Forgets the appends in flight and resends from match_index + 1 (they may be lost).
    void resend_unacknowledged();
    /// At each heartbeat: if entries up to `last_index` are missing and nothing was
    /// acknowledged for a whole interval, the appends in flight are presumed lost and will be
    /// sent again from match_index + 1 (duplicates are harmless, §5.3): at once if the
    /// follower answered in that interval, else once it answers (`paused`).
    void on_heartbeat(LogIndex last_index);
};

/// The leader's Progress of each follower, in increasing id order. A flat vector rather than
/// a std::map: a cluster has a handful of peers, and the leader looks one up for every append
/// it sends and every reply it gets, where the map's tree walks cost 0.9% of a simulation run.
class ProgressMap {
public:
    using Slot = std::pair<NodeId, Progress>;

    bool empty() const { return slots_.empty(); }
    std::size_t size() const { return slots_.size(); }
    void clear() { slots_.clear(); }
    bool contains(NodeId peer) const {
        for (const Slot& slot : slots_) {
            if (slot.first == peer) return true;
        }
        return false;
    }
    /// The progress of `peer`. Precondition: contains(peer).
    Progress& at(NodeId peer);
    const Progress& at(NodeId peer) const;
    /// Adds `peer`. Precondition: its id is above every id present.
    void add(NodeId peer, Progress progress);

    auto begin() { return slots_.begin(); }
    auto end() { return slots_.end(); }
    auto begin() const { return slots_.begin(); }
    auto end() const { return slots_.end(); }

private:
    std::vector<Slot> slots_;
};

}  // namespace raftlink::raft
