// SPDX-License-Identifier: MIT
// WriteTracker: the storage writes a node has handed out and not yet seen durable, and the
// messages waiting for them (etcd's asynchronous storage writes).
//
// A node may hand several writes to storage before the first is durable; storage makes them
// durable in the order they were issued (core/env.h). A message that reveals a term, a vote
// or log entries (a vote, an AppendEntries acknowledgement, a RequestVote) may leave only once
// all of that is durable (Figure 2: "respond to RPCs only after updating stable storage").
// Such a message is held against the newest write issued once everything the node knew when
// it queued the message was handed out, and released when that write is durable; because
// writes complete in order, every earlier write is durable then too.
//
// Invariants: write ids are consecutive from 1; durable_id() <= issued_id(); the outstanding
// writes are exactly durable_id() + 1 .. issued_id(); held messages wait for ids in
// (durable_id(), issued_id()], in increasing order. Pure bookkeeping, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
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
        /// The write's last entry; LogIndex 0 when it carries no entries.
        LogIndex last_index;
        Term last_term;
    };

    std::size_t outstanding() const { return outstanding_.size(); }
    std::uint64_t issued_id() const { return issued_id_; }
    std::uint64_t durable_id() const { return durable_id_; }
    /// Messages held until a write is durable.
    std::size_t held_count() const { return held_count_; }

    /// Records a write handed to storage and returns its id.
    std::uint64_t issue(std::optional<HardState> hard_state, LogIndex last_index, Term last_term);
    /// Takes `messages`, which may reveal anything issued so far: they wait for the newest
    /// issued write, or are appended to `ready_now` at once when every write is durable.
    void hold(std::vector<Message>&& messages, std::vector<Message>& ready_now);
    /// The oldest outstanding write, `id`, is durable: returns it, and appends to `released`
    /// the messages that waited for it. Precondition: id == durable_id() + 1 (in order).
    Write complete(std::uint64_t id, std::vector<Message>& released);

private:
    struct Held {
        std::uint64_t write_id = 0;
        std::vector<Message> messages;
    };
    std::deque<Write> outstanding_;
    std::deque<Held> held_;
    std::size_t held_count_ = 0;
    std::uint64_t issued_id_ = 0;
    std::uint64_t durable_id_ = 0;
};

}  // namespace raftlink::raft
