// SPDX-License-Identifier: MIT
// What a node hands to its environment, and what the environment hands back at start.
//
// The Ready loop (etcd's RawNode with asynchronous storage writes): take a Ready; send
// `messages` at once; if it needs_persist(), hand `hard_state` and `entries` to storage
// (truncating any stored suffix from entries.front().index) and call
// Node::on_persisted(write_id) once that write is durable; apply `committed_entries`, answer
// `reads`, then call Node::advance(ready). Only one Ready is in hand at a time (taken and not
// yet advanced), but any number of its writes may be outstanding: storage completes them in
// issue order. Messages that must wait for durability (votes, acknowledgements) stay inside
// the node until their write is durable and come out in a later Ready's `messages`.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
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

/// Entries 1..n without a heap buffer each: their payloads back to back, as raft::Log keeps
/// them. Storage that rebuilds a whole log at every start (the simulator's disk) hands it over
/// in this form, so that a restart does not allocate and free one buffer per entry.
struct PackedEntries {
    /// Where each run of entries with one term starts: increasing indexes, the first 1, and
    /// increasing terms.
    std::vector<std::pair<LogIndex, Term>> term_starts;
    /// ends[i]: where the payload of entry i + 1 ends in `payloads` (it starts at the previous
    /// end, or 0).
    std::vector<std::uint64_t> ends;
    Bytes payloads;
};

/// What storage returns at start-up: the entries either in `entries` or in `packed` (the other
/// one empty).
struct PersistentState {
    HardState hard_state;
    std::vector<Entry> entries;
    /// Initialised here, so that PersistentState{hard_state, entries} says all it needs to.
    PackedEntries packed = {};
};

struct Ready {
    std::optional<HardState> hard_state;
    std::vector<Entry> entries;
    /// Names this Ready's write when needs_persist(); 0 otherwise. Ids grow by one per write.
    std::uint64_t write_id = 0;
    /// Safe to send now: a leader's AppendEntries, even before its own write of the entries is
    /// durable (thesis §10.2.1; its term and vote became durable before it could win), and
    /// votes, acknowledgements and RequestVotes whose state is already durable (§5.1, Figure 2).
    std::vector<Message> messages;
    /// Committed entries to apply, in order. They may not be durable on this node yet: being
    /// committed, they are durable on a majority and never change (§5.4).
    std::vector<Entry> committed_entries;
    /// Linearizable reads whose leadership check passed (thesis §6.4): answer each once the
    /// state machine has applied its index.
    std::vector<ReadState> reads;

    bool needs_persist() const { return hard_state.has_value() || !entries.empty(); }
};

}  // namespace raftlink::raft
