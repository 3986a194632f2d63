// SPDX-License-Identifier: MIT
// What a node hands to its environment, and what the environment hands back at start.
//
// The Ready loop (as etcd's RawNode): take a Ready, send `messages` at once, persist
// `hard_state` and `entries` (truncating any stored suffix from entries.front().index), and
// once they are durable send `messages_after_persist`, apply `committed_entries`, then call
// Node::advance(ready). Only one Ready is outstanding at a time.
#pragma once

#include <optional>
#include <vector>

#include "core/raft/messages.h"
#include "core/raft/read_index.h"
#include "core/types.h"

namespace raftlink::raft {

/// The state Figure 2 requires on stable storage before answering any RPC.
struct HardState {
    Term current_term;
    NodeId voted_for;

    bool operator==(const HardState&) const = default;
};

/// What storage returns at start-up.
struct PersistentState {
    HardState hard_state;
    std::vector<Entry> entries;
};

struct Ready {
    std::optional<HardState> hard_state;
    std::vector<Entry> entries;
    /// Safe to send before the persist completes: a leader's AppendEntries (thesis §10.2.1;
    /// its term and vote became durable before it could win).
    std::vector<Message> messages;
    /// Votes, replies and RequestVotes: sent only once the persist is durable (§5.1, Figure 2).
    std::vector<Message> messages_after_persist;
    std::vector<Entry> committed_entries;
    /// Linearizable reads whose leadership check passed (thesis §6.4): answer each once the
    /// state machine has applied its index.
    std::vector<ReadState> reads;

    bool needs_persist() const { return hard_state.has_value() || !entries.empty(); }
};

}  // namespace raftlink::raft
