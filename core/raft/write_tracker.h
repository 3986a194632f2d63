// SPDX-License-Identifier: MIT
// WriteTracker: the storage writes a node has handed out and not yet seen durable, and the
// messages waiting for them (etcd's asynchronous storage writes).
//
// A node may hand several writes to storage before the first is durable; storage makes them
// durable in the order they were issued (core/env.h). A message that reveals a term, a vote
// or log entries may leave only once they are durable (Figure 2: "respond to RPCs only after
// updating stable storage"). The node works out which write that is (WriteTracker tells it
// the newest write touching an index) and holds the message against it; because writes
// complete in order, every earlier write is durable when it is released.
//
// Invariants: write ids are consecutive from 1; durable_id() <= issued_id(); the outstanding
// writes are exactly durable_id() + 1 .. issued_id(); every held message waits for an id in
// (durable_id(), issued_id()]. Pure bookkeeping, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/raft/messages.h"
#include "core/raft/ready.h"
#include "core/types.h"

namespace raftlink::raft {

class WriteTracker {
public:
    /// What one outstanding write makes durable.
    struct Write {
        std::uint64_t id = 0;
        std::optional<HardState> hard_state;
        /// The write's first and last entries; LogIndex 0 for both when it has none.
        LogIndex first_index;
        LogIndex last_index;
        Term last_term;
    };

    std::size_t outstanding() const { return issued_id_ - durable_id_; }
    std::uint64_t issued_id() const { return issued_id_; }
    std::uint64_t durable_id() const { return durable_id_; }
    /// Messages held until a write is durable.
    std::size_t held_count() const { return held_.size(); }

    /// Records a write handed to storage and returns its id.
    std::uint64_t issue(std::optional<HardState> hard_state, LogIndex first_index,
                        LogIndex last_index, Term last_term);
    /// The newest outstanding write whose entries start at or below `index` (it may replace
    /// the entry there or an earlier one), or 0 if no outstanding write touches `index`.
    std::uint64_t newest_touching(LogIndex index) const;
    /// Holds `message` until write `write_id` is durable; appends it to `ready_now` instead
    /// if that write is already durable (or `write_id` is 0). Precondition: write_id <=
    /// issued_id().
    /// Takes `message` by reference, so that it is moved once, straight into its place: a
    /// follower holds every acknowledgement, and a parameter and a temporary of its own cost
    /// two more moves and destructions of the variant each.
    void hold(Message&& message, std::uint64_t write_id, std::vector<Message>& ready_now);
    /// The oldest outstanding write, `id`, is durable: returns it, and appends to `released`
    /// the messages that waited for it. Precondition: id == durable_id() + 1 (in order).
    Write complete(std::uint64_t id, std::vector<Message>& released);

private:
    // Oldest first. At most storage_writes_inflight_max (a handful), so a flat vector whose
    // capacity is reused, rather than a deque allocating a block every few writes.
    std::vector<Write> outstanding_;
    struct Held {
        std::uint64_t write_id;
        Message message;
    };
    // Sorted by the write they wait for, in arrival order among equals (the order they are
    // released in). A few at a time, so a flat vector: no allocation per held message.
    std::vector<Held> held_;
    std::uint64_t issued_id_ = 0;
    std::uint64_t durable_id_ = 0;
};

}  // namespace raftlink::raft
