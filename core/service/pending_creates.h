// SPDX-License-Identifier: MIT
// Creates that a leader proposed and whose clients wait for the commit.
//
// Each waits for the entry at its log index. When that index is applied with the proposal's
// term, the create happened and the client gets its short id; when it is applied with another
// term, a new leader replaced the entry and the create did not happen; when the deadline
// passes first, the client gets Timeout (the entry may still commit later, which is why
// clients retry with an idempotency key). Bounded by pending_creates_max.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "core/service/requests.h"
#include "core/types.h"

namespace raftlink::service {

constexpr std::size_t pending_creates_max = 65536;

class PendingCreates {
public:
    bool full() const { return size_ >= pending_creates_max; }
    std::size_t size() const { return size_; }

    /// Registers a proposal at (index, term). Preconditions: !full(), and `deadline` is not
    /// before the deadline of the create added before (the replica's clock is monotonic and
    /// its commit timeout fixed). A create still waiting at `index` from an earlier term was
    /// replaced and is answered NotLeader first.
    void add(LogIndex index, Term term, Nanos deadline, ShortenDone done);
    /// The entry at `index`, of `term`, was applied to `store`; `created` is what the store
    /// did if it was a create. The record is built (from `store`) only for a create that a
    /// client waits for.
    void on_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                    const fsm::Applied* created) {
        // Every replica applies every entry (a restarted one its whole log), and nearly none
        // has a waiter then.
        if (size_ == 0) return;
        answer_applied(index, term, store, created);
    }
    /// Answers Timeout to every create whose deadline is <= now.
    void expire(Nanos now);
    /// The earliest deadline, or no deadline (INT64_MAX) when nothing waits.
    Nanos next_deadline() const {
        return size_ == 0 ? std::numeric_limits<Nanos>::max() : waiters_[first_].deadline;
    }

private:
    /// on_applied() when some create waits.
    void answer_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                        const fsm::Applied* created);
    static ShortenResponse replaced_response();
    /// A create waiting for its entry, or answered once `done` is empty.
    struct Waiter {
        LogIndex index;
        Term term;
        Nanos deadline = 0;
        ShortenDone done;
    };
    /// The position of the create waiting at `index`, or waiters_.size() if none does.
    std::size_t find(LogIndex index) const;
    /// Marks the waiter at `position` answered and returns its callback.
    ShortenDone forget(std::size_t position);

    // The creates in the order they were added, which is also their deadlines' order, so
    // the first unanswered one has the earliest deadline; and nearly always their indexes'
    // order, as a leader proposes at increasing indexes. Two node-based maps (by index and
    // by deadline) allocated and freed two nodes per create. Answered waiters stay in place
    // until those before them are answered, or until they are most of the vector.
    std::vector<Waiter> waiters_;
    std::size_t first_ = 0;  // the first unanswered waiter, if any
    std::size_t size_ = 0;   // the unanswered waiters
    // Whether the indexes increase along waiters_, so that find() can bisect them. Not after
    // a leader that lost its leadership leads again and proposes below what it proposed
    // before, until everything that waits has been answered.
    bool in_index_order_ = true;
};

}  // namespace raftlink::service
