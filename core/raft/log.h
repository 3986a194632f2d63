// SPDX-License-Identifier: MIT
// The in-memory Raft log: entries 1..last_index(), with how far they are durable.
//
// Invariants: entries are contiguous and their terms never decrease along the log;
// stable_index() <= last_index(); entries at or below a commit index never change (the node
// asserts that before it truncates). The log does no I/O: the node hands unstable entries to
// the environment in a Ready and marks them stable when they are durable.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/raft/messages.h"
#include "core/types.h"

namespace raftlink::raft {

class Log {
public:
    /// Starts with entries recovered from storage; they are stable by definition.
    explicit Log(std::vector<Entry> entries);

    LogIndex last_index() const { return LogIndex(entries_.size()); }
    Term last_term() const { return term_at(last_index()); }
    /// The term of the entry at `index`; Term 0 for index 0. Precondition: index <= last.
    Term term_at(LogIndex index) const;
    /// True if the log has an entry at `index` with `term` (index 0 always matches, §5.3).
    bool matches(LogIndex index, Term term) const;
    const Entry& at(LogIndex index) const;
    /// Entries [first, last], both included. Precondition: 1 <= first, last <= last_index().
    std::span<const Entry> slice(LogIndex first, LogIndex last) const;

    /// Appends one entry at last_index() + 1 (a leader's own proposal).
    void append(Entry entry);
    /// Figure 2, AppendEntries receiver steps 3 and 4: skips entries already present with the
    /// same term, truncates at the first conflict, appends the rest. Returns the index of the
    /// first entry truncated, or LogIndex 0 if nothing was truncated.
    /// Precondition: matches(entries[0].index - 1, ...) was checked by the caller.
    LogIndex append_from_leader(const std::vector<Entry>& entries);

    /// How far the log is durable. Invariant: stable_index() <= last_index().
    LogIndex stable_index() const { return stable_index_; }
    /// Marks entries up to `index` durable, if the entry there still has `term` (a truncation
    /// may have replaced it while the write was in flight).
    void stable_to(LogIndex index, Term term);

    /// How many truncations happened so far, and where the latest one started: lets a
    /// checker re-verify only what changed.
    std::uint64_t truncation_count() const { return truncation_count_; }
    LogIndex last_truncated_from() const { return last_truncated_from_; }

private:
    std::vector<Entry> entries_;  // entries_[i] has index i + 1
    LogIndex stable_index_;
    std::uint64_t truncation_count_ = 0;
    LogIndex last_truncated_from_;
};

}  // namespace raftlink::raft
