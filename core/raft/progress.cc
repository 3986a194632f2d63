// SPDX-License-Identifier: MIT
#include "core/raft/progress.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

void Progress::on_append_sent(LogIndex last) {
    ASSERT_GE(last, next_index);
    if (!inflight.empty()) ASSERT_LT(inflight.back(), last);
    next_index = last + 1;
    inflight.push_back(last);
}

void Progress::on_acknowledged(LogIndex acknowledged) {
    match_index = std::max(match_index, acknowledged);
    next_index = std::max(next_index, match_index + 1);
    while (!inflight.empty() && inflight.front() <= match_index) inflight.pop_front();
    ASSERT_LT(match_index, next_index);
}

bool Progress::on_rejected(LogIndex retry) {
    ASSERT_GE(retry, LogIndex(1));
    // Lowering match_index is always safe (the commit index never goes back), and it lets a
    // follower that lost acknowledged entries be repaired instead of rejecting forever.
    const bool lost_entries = retry <= match_index;
    if (lost_entries) match_index = retry - 1;
    next_index = std::max(match_index + 1, retry);
    inflight.clear();
    return lost_entries;
}

void Progress::resend_unacknowledged() {
    inflight.clear();
    next_index = match_index + 1;
}

void Progress::on_reply() {
    answered_since_heartbeat = true;
    paused = false;
}

void Progress::on_heartbeat(LogIndex last_index) {
    if (match_index < last_index && match_index == match_index_at_heartbeat) {
        resend_unacknowledged();
        // Resending to a follower that is down or cut off only builds batches of entries the
        // network drops, every interval; its heartbeat's reply will say when it is back.
        paused = !answered_since_heartbeat;
    }
    match_index_at_heartbeat = match_index;
    answered_since_heartbeat = false;
}

Progress& ProgressMap::at(NodeId peer) {
    for (Slot& slot : slots_) {
        if (slot.first == peer) return slot.second;
    }
    UNREACHABLE();
}

const Progress& ProgressMap::at(NodeId peer) const {
    for (const Slot& slot : slots_) {
        if (slot.first == peer) return slot.second;
    }
    UNREACHABLE();
}

void ProgressMap::add(NodeId peer, Progress progress) {
    if (!slots_.empty()) ASSERT_LT(slots_.back().first, peer);
    slots_.emplace_back(peer, std::move(progress));
}

}  // namespace raftlink::raft
