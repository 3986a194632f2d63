// SPDX-License-Identifier: MIT
#include "core/raft/read_index.h"

#include <algorithm>

#include "core/assert.h"
#include "core/raft/quorum.h"

namespace raftlink::raft {

std::uint64_t ReadIndexTracker::add(std::uint64_t id, LogIndex index) {
    ASSERT(!full());
    const std::uint64_t round = next_round_++;
    if (!pending_.empty()) ASSERT_LE(pending_.back().read.index, index);
    pending_.push_back(Pending{ReadState{id, index}, round});
    return round;
}

void ReadIndexTracker::acknowledge(NodeId peer, std::uint64_t round) {
    // A reply can only echo a round this leader started; anything else is a stale or bogus
    // message and is ignored rather than trusted.
    if (round == 0 || round >= next_round_) return;
    // With no read pending, every later read gets a round above this one: the answer could
    // never count toward it, so there is nothing to note (nearly every reply, as reads are
    // few).
    if (pending_.empty()) return;
    std::uint64_t& known = acknowledged_round_[peer];
    known = std::max(known, round);
}

std::vector<ReadState> ReadIndexTracker::take_confirmed(std::size_t voter_count) {
    std::vector<ReadState> confirmed;
    while (!pending_.empty()) {
        const std::uint64_t round = pending_.front().round;
        std::size_t acknowledged = 1;  // the leader itself
        for (const auto& [peer, known] : acknowledged_round_) {
            if (known >= round) ++acknowledged;
        }
        if (acknowledged < majority(voter_count)) break;
        confirmed.push_back(pending_.front().read);
        pending_.pop_front();
    }
    return confirmed;
}

void ReadIndexTracker::clear() {
    pending_.clear();
    acknowledged_round_.clear();
}

}  // namespace raftlink::raft
