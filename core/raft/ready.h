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

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "core/raft/log.h"
#include "core/raft/messages.h"
#include "core/raft/packed_entries.h"
#include "core/raft/read_index.h"
#include "core/types.h"

namespace raftlink::raft {

/// The state Figure 2 requires on stable storage before answering any RPC.
struct HardState {
    Term current_term;
    NodeId voted_for;

    bool operator==(const HardState&) const = default;
};

/// What storage returns at start-up: the entries either in `entries` or in `packed` (the other
/// one empty).
struct PersistentState {
    HardState hard_state;
    std::vector<Entry> entries;
    /// Initialised here, so that PersistentState{hard_state, entries} says all it needs to.
    PackedEntries packed = {};
};

/// An entry as the log holds it, without a copy of its payload: `data` is a view into the
/// log, valid until the log next changes or is next asked for a payload (Log::payload).
struct EntryView {
    Term term;
    LogIndex index;
    ByteView data;
};

/// A Ready's committed entries, read from the node's log as they are visited rather than
/// copied into the Ready: a restarted node applies its whole log again, and an Entry of its
/// own for each (a heap-allocated payload) was most of the cost of that catch-up. The range
/// stays valid while its node lives, committed entries never changing (§5.4); the log may
/// grow meanwhile (applying may propose).
class CommittedEntries {
public:
    /// Builds each entry it visits in a buffer of its own, so a reference to it is valid
    /// until the iterator moves. Apply through for_each_view(), which copies nothing.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using pointer = const Entry*;
        using reference = const Entry&;

        Iterator() = default;
        Iterator(const Log* log, LogIndex index) : log_(log), index_(index) {}
        const Entry& operator*() const { return read(); }
        const Entry* operator->() const { return &read(); }
        Iterator& operator++() {
            index_ = index_ + 1;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++*this;
            return old;
        }
        bool operator==(const Iterator& other) const { return index_ == other.index_; }

    private:
        const Entry& read() const {
            log_->copy_entry(index_, entry_);
            return entry_;
        }

        const Log* log_ = nullptr;
        LogIndex index_;
        mutable Entry entry_;
    };

    CommittedEntries() = default;
    /// The entries [first, last] of `log`; empty when last < first.
    CommittedEntries(const Log& log, LogIndex first, LogIndex last)
        : log_(&log), first_(first), count_(last < first ? 0 : last.value - first.value + 1) {}

    bool empty() const { return count_ == 0; }
    std::size_t size() const { return count_; }
    /// The first and last index. Precondition: !empty().
    LogIndex first_index() const { return first_; }
    LogIndex last_index() const { return first_ + (count_ - 1); }
    Iterator begin() const { return Iterator(log_, first_); }
    Iterator end() const { return Iterator(log_, first_ + count_); }
    /// Calls `visit(EntryView)` for each entry in order, copying no payload: the way to apply
    /// them (a restarted node applies its whole log, and copying each payload out of the log
    /// cost 1% of a simulation run). Each view is read just before its visit, so a visit may
    /// make the log grow (an apply that answers a client may propose), as long as it is done
    /// with its view by then.
    template <typename Visit>
    void for_each_view(Visit&& visit) const {
        if (count_ == 0) return;
        log_->visit_entries(first_, last_index(), [&visit](Term term, LogIndex index,
                                                           ByteView data) {
            visit(EntryView{term, index, data});
        });
    }

private:
    const Log* log_ = nullptr;
    LogIndex first_;
    std::size_t count_ = 0;
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
    CommittedEntries committed_entries;
    /// Linearizable reads whose leadership check passed (thesis §6.4): answer each once the
    /// state machine has applied its index.
    std::vector<ReadState> reads;

    bool needs_persist() const { return hard_state.has_value() || !entries.empty(); }
};

}  // namespace raftlink::raft
