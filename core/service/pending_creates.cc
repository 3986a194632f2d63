// SPDX-License-Identifier: MIT
#include "core/service/pending_creates.h"

#include <utility>

#include "core/assert.h"

namespace raftlink::service {

void PendingCreates::add(LogIndex index, Term term, Nanos deadline, ShortenDone done) {
    ASSERT(!full());
    if (const auto earlier = by_index_.find(index); earlier != by_index_.end()) {
        // This leader proposed at `index` before, lost leadership, had that entry replaced
        // (§5.3) and now leads again: the earlier create never committed. Its term is older.
        ASSERT_LT(earlier->second.term, term);
        Waiter waiter = std::move(earlier->second);
        forget(index, waiter.deadline);
        waiter.done(replaced_response());
    }
    const bool inserted = by_index_.emplace(index, Waiter{term, deadline, std::move(done)}).second;
    ASSERT(inserted);
    by_deadline_.emplace(deadline, index);
}

ShortenResponse PendingCreates::replaced_response() {
    ShortenResponse response;
    response.status = ShortenStatus::NotLeader;
    response.message = "leadership changed before the create committed; retry on the leader";
    return response;
}

void PendingCreates::forget(LogIndex index, Nanos deadline) {
    by_index_.erase(index);
    const auto range = by_deadline_.equal_range(deadline);
    for (auto d = range.first; d != range.second; ++d) {
        if (d->second == index) {
            by_deadline_.erase(d);
            return;
        }
    }
}

void PendingCreates::answer_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                                    const fsm::Applied* created) {
    const auto it = by_index_.find(index);
    if (it == by_index_.end()) return;
    Waiter waiter = std::move(it->second);
    forget(index, waiter.deadline);
    ShortenResponse response;
    if (term == waiter.term && created != nullptr) {
        response.status = ShortenStatus::Created;
        response.record = store.record(created->record_index);
        response.deduplicated = created->deduplicated;
    } else {
        // Another leader's entry took this index (§5.3): our proposal was never committed.
        response = replaced_response();
    }
    waiter.done(response);
}

void PendingCreates::expire(Nanos now) {
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
        const LogIndex index = by_deadline_.begin()->second;
        by_deadline_.erase(by_deadline_.begin());
        const auto it = by_index_.find(index);
        ASSERT(it != by_index_.end());
        ShortenDone done = std::move(it->second.done);
        by_index_.erase(it);
        ShortenResponse response;
        response.status = ShortenStatus::Timeout;
        response.message = "the create was not committed in time; it may still commit later";
        done(response);
    }
}

}  // namespace raftlink::service
