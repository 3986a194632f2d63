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
        forget(earlier)(replaced_response());
    }
    const auto [waiter, inserted] =
        by_index_.emplace(index, Waiter{term, std::move(done), by_deadline_.end()});
    ASSERT(inserted);
    waiter->second.deadline = by_deadline_.emplace(deadline, index);
}

ShortenResponse PendingCreates::replaced_response() {
    ShortenResponse response;
    response.status = ShortenStatus::NotLeader;
    response.message = "leadership changed before the create committed; retry on the leader";
    return response;
}

ShortenDone PendingCreates::forget(ByIndex::iterator waiter) {
    ShortenDone done = std::move(waiter->second.done);
    by_deadline_.erase(waiter->second.deadline);
    by_index_.erase(waiter);
    return done;
}

void PendingCreates::answer_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                                    const fsm::Applied* created) {
    const auto it = by_index_.find(index);
    if (it == by_index_.end()) return;
    const Term waiter_term = it->second.term;
    ShortenDone done = forget(it);
    ShortenResponse response;
    if (term == waiter_term && created != nullptr) {
        response.status = ShortenStatus::Created;
        response.record = store.record(created->record_index);
        response.deduplicated = created->deduplicated;
    } else {
        // Another leader's entry took this index (§5.3): our proposal was never committed.
        response = replaced_response();
    }
    done(response);
}

void PendingCreates::expire(Nanos now) {
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
        const auto it = by_index_.find(by_deadline_.begin()->second);
        ASSERT(it != by_index_.end());
        ShortenDone done = forget(it);
        ShortenResponse response;
        response.status = ShortenStatus::Timeout;
        response.message = "the create was not committed in time; it may still commit later";
        done(response);
    }
}

}  // namespace raftlink::service
