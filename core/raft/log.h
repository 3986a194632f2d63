// SPDX-License-Identifier: MIT
// The in-memory Raft log: entries 1..last_index(), with how far they are durable.
//
// Invariants: entries are contiguous and their terms never decrease along the log;
// stable_index() <= last_index(); entries at or below a commit index never change (the node
// asserts that before it truncates). The log does no I/O: the node hands unstable entries to
// the environment in a Ready and marks them stable when they are durable.
//
// Memory: the log holds every entry since index 1, so it is stored compactly rather than as
// Entry objects (each with its own heap-allocated payload): the payloads back to back in
// blocks of bytes, one end offset per entry, and the terms as runs (a term covers many
// consecutive entries). at() builds an Entry in a scratch slot on demand, entries() copies
// a range straight into the vector it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/assert.h"
#include "core/raft/messages.h"
#include "core/raft/packed_entries.h"
#include "core/types.h"

namespace raftlink::raft {

class Log {
public:
    /// Starts with entries recovered from storage; they are stable by definition.
    explicit Log(std::vector<Entry> entries);
    /// The same from packed entries (a restart's whole log), taking over their buffers where
    /// it can instead of copying each payload. A named constructor: Log({}) stays unambiguous.
    static Log from_packed(PackedEntries packed);
    /// The capacity to give the payloads of packed entries that hold `bytes` bytes: the room
    /// the log would have had to grow into, which from_packed() takes over with them, so
    /// that the first append after a restart does not copy the whole log into a larger block.
    static std::size_t packed_payload_capacity(std::size_t bytes);

    LogIndex last_index() const { return LogIndex(payload_ends_.size()); }
    Term last_term() const { return term_at(last_index()); }
    /// The term of the entry at `index`; Term 0 for index 0. Precondition: index <= last.
    Term term_at(LogIndex index) const {
        // Inline for the common case, an index in the latest term's run.
        if (!term_runs_.empty() && index >= term_runs_.back().first && index <= last_index()) {
            return term_runs_.back().term;
        }
        return term_at_slow(index);
    }
    /// Where a walk along the log found its last term, for term_at(index, walk).
    struct TermWalk {
        std::size_t run = SIZE_MAX;
    };
    /// term_at() for a caller that looks up increasing indices (any order works, slower):
    /// it walks the runs from the previous lookup's where term_at() searches them for every
    /// index before the latest term's, as a follower checks and skips entries it already
    /// has. Valid across changes of the log.
    Term term_at(LogIndex index, TermWalk& walk) const {
        ASSERT_LE(index, last_index());
        if (index == LogIndex(0)) return Term(0);
        if (walk.run >= term_runs_.size() || index < term_runs_[walk.run].first) {
            walk.run = run_of(index);
        }
        while (walk.run + 1 < term_runs_.size() && term_runs_[walk.run + 1].first <= index) {
            ++walk.run;
        }
        return term_runs_[walk.run].term;
    }
    /// True if the log has an entry at `index` with `term` (index 0 always matches, §5.3).
    bool matches(LogIndex index, Term term) const;
    /// The entry at `index`, built on demand: the reference is valid until the next at() or
    /// change of the log.
    const Entry& at(LogIndex index) const;
    /// The payload of the entry at `index`, without building the entry: a view into the log,
    /// valid until the next payload() call or change of the log. Checkers hash every entry of
    /// every node, so this is the cheap way to read one. Precondition: 1 <= index <= last.
    ByteView payload(LogIndex index) const;
    /// Calls visit(term, index, payload) for each entry in [first, last], in order, with
    /// payload() as the payload: the terms come from walking the runs and each payload starts
    /// where the previous one ended, where term_at() and payload() per entry searched the runs
    /// for every entry before the latest term's (a restarted replica applies its whole log).
    /// `visit` may append to the log, which ends the payload's validity.
    /// Precondition: 1 <= first, last <= last_index().
    template <typename Visit>
    void visit_entries(LogIndex first, LogIndex last, Visit&& visit) const {
        if (last < first) return;
        std::size_t run = run_of(first);
        std::uint64_t start = payload_start(first);
        for (LogIndex index = first; index <= last; index = index + 1) {
            ASSERT_LE(index, last_index());
            // By position, not iterator: an append may move the runs and the ends.
            while (run + 1 < term_runs_.size() && term_runs_[run + 1].first <= index) ++run;
            const std::uint64_t end = payload_ends_[index.value - 1];
            visit(term_runs_[run].term, index, payload_between(index, start, end));
            start = end;
        }
    }
    /// The size of the payload of the entry at `index`, from the stored offsets (no copy).
    /// Precondition: 1 <= index <= last.
    std::size_t payload_size(LogIndex index) const;
    /// Copies the entry at `index` into `out`, reusing its payload's capacity.
    /// Precondition: 1 <= index <= last_index().
    void copy_entry(LogIndex index, Entry& out) const;
    /// Copies of the entries [first, last], both included, in a new vector (the node builds
    /// its appends and writes with append_entries_to(), in buffers it reuses).
    /// Empty when last < first. Precondition: 1 <= first, last <= last_index().
    std::vector<Entry> entries(LogIndex first, LogIndex last) const;
    /// Appends copies of the entries [first, last] to `out`, each payload copied into a
    /// buffer taken from `buffers` while it has any (their capacity is reused).
    /// Preconditions as for entries().
    void append_entries_to(LogIndex first, LogIndex last, std::vector<Entry>& out,
                           std::vector<Bytes>& buffers) const;
    /// The last index of the longest prefix of [first, last] whose payloads total at most
    /// `bytes_max`, but at least `first`, so that an entry larger than the bound still goes
    /// (alone). Reads only the offsets, so a caller bounds a batch before copying anything.
    /// Precondition: 1 <= first <= last <= last_index().
    LogIndex last_within_bytes(LogIndex first, LogIndex last, std::size_t bytes_max) const;

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
    /// The first entry of a run of entries with one term.
    struct TermRun {
        LogIndex first;
        Term term;
    };
    /// Payload bytes are stored in blocks of this size; a payload may span blocks.
    static constexpr std::size_t payload_block_bytes = std::size_t{1} << 20;
    /// The smallest block: a young block grows geometrically from this size up to the bound.
    static constexpr std::size_t young_block_bytes_min = 4096;

    Term term_at_slow(LogIndex index) const;
    /// The position in term_runs_ of the run holding `index`. Precondition: 1 <= index.
    std::size_t run_of(LogIndex index) const;
    void push(Term term, ByteView payload);
    /// Drops the entries after `last`.
    void truncate_after(LogIndex last);
    /// Copies the payload of the entry at `index` into `out`, reusing its capacity.
    void copy_payload(LogIndex index, Bytes& out) const;
    /// copy_payload() for a payload known to lie at [start, end) in the concatenation, with
    /// the common case (one block) inline: one copy into the emptied buffer, where
    /// copy_payload() read both ends again and copied twice into a shorter buffer.
    void copy_payload_between(LogIndex index, std::uint64_t start, std::uint64_t end,
                              Bytes& out) const {
        out.clear();
        if (start == end) return;
        if (start / payload_block_bytes != (end - 1) / payload_block_bytes) {
            copy_payload(index, out);
            return;
        }
        const std::uint8_t* const from =
            payload_blocks_[start / payload_block_bytes].data() + start % payload_block_bytes;
        out.assign(from, from + (end - start));
    }
    /// The payload of the entry at `index`, which lies at [start, end) in the concatenation.
    ByteView payload_between(LogIndex index, std::uint64_t start, std::uint64_t end) const {
        if (start == end) return {};
        if (start / payload_block_bytes != (end - 1) / payload_block_bytes) {
            copy_payload(index, payload_scratch_);
            return payload_scratch_;
        }
        const Bytes& block = payload_blocks_[start / payload_block_bytes];
        return ByteView(block.data() + start % payload_block_bytes, end - start);
    }
    /// Where the payload of the entry at `index` starts in the concatenation of payloads.
    std::uint64_t payload_start(LogIndex index) const {
        return index.value == 1 ? 0 : payload_ends_[index.value - 2];
    }

    // payload_ends_[i] is where the payload of the entry at index i + 1 ends in the
    // concatenation of all payloads (its start is the previous end, or 0).
    std::vector<std::uint64_t> payload_ends_;
    std::vector<Bytes> payload_blocks_;
    // Increasing `first` and non-decreasing `term`; the first run starts at index 1.
    std::vector<TermRun> term_runs_;
    // The run term_at() found last: where the next lookup looks first. Only a hint (clamped
    // to the runs there are), so truncations need not maintain it.
    mutable std::size_t run_hint_ = 0;
    // Where at() builds the entry it returns.
    mutable Entry scratch_;
    // Where payload() copies a payload that spans two blocks (rare: once per block).
    mutable Bytes payload_scratch_;
    LogIndex stable_index_;
    std::uint64_t truncation_count_ = 0;
    LogIndex last_truncated_from_;
};

}  // namespace raftlink::raft
