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
#include <map>
#include <string>

#include "core/service/requests.h"
#include "core/types.h"

namespace raftlink::service {

constexpr std::size_t pending_creates_max = 65536;

class PendingCreates {
public:
    bool full() const { return by_index_.size() >= pending_creates_max; }
    std::size_t size() const { return by_index_.size(); }

    /// Registers a proposal at (index, term). Precondition: !full(). A create still waiting at
    /// `index` from an earlier term was replaced and is answered NotLeader first.
    void add(LogIndex index, Term term, Nanos deadline, ShortenDone done);
    /// The entry at `index`, of `term`, was applied to `store`; `created` is what the store
    /// did if it was a create. The record is built (from `store`) only for a create that a
    /// client waits for.
    void on_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                    const fsm::Applied* created) {
        // Every replica applies every entry (a restarted one its whole log), and nearly none
        // has a waiter here: the lowest waiting index rules most out without a search.
        if (by_index_.empty() || index < by_index_.begin()->first) return;
        answer_applied(index, term, store, created);
    }
    /// Answers Timeout to every create whose deadline is <= now.
    void expire(Nanos now);
    /// The earliest deadline, or no deadline (INT64_MAX) when nothing waits.
    Nanos next_deadline() const {
        return by_deadline_.empty() ? std::numeric_limits<Nanos>::max()
                                    : by_deadline_.begin()->first;
    }

private:
    /// on_applied() for an entry at or above the lowest waiting index.
    void answer_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                        const fsm::Applied* created);
    static ShortenResponse replaced_response();
    using ByDeadline = std::multimap<Nanos, LogIndex>;
    struct Waiter {
        Term term;
        ShortenDone done;
        // Its place in by_deadline_: many waiters share a deadline (a batch's creates are
        // proposed at once), and finding it there by deadline and index meant walking them.
        ByDeadline::iterator deadline;
    };
    using ByIndex = std::map<LogIndex, Waiter>;
    /// Removes `waiter` from both maps and returns its callback.
    ShortenDone forget(ByIndex::iterator waiter);

    ByIndex by_index_;
    ByDeadline by_deadline_;
};

}  // namespace raftlink::service
