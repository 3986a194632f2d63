// SPDX-License-Identifier: MIT
#include "core/service/pending_creates.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::service {

void PendingCreates::add(LogIndex index, Term term, Nanos deadline, ShortenDone done) {
    ASSERT(!full());
    ASSERT(done);
    if (const std::size_t earlier = find(index); earlier < waiters_.size()) {
        // This leader proposed at `index` before, lost leadership, had that entry replaced
        // (§5.3) and now leads again: the earlier create never committed. Its term is older.
        ASSERT_LT(waiters_[earlier].term, term);
        forget(earlier)(replaced_response());
    }
    // Answering in insertion order is answering in deadline order only if they agree.
    ASSERT(waiters_.empty() || waiters_.back().deadline <= deadline);
    if (!waiters_.empty() && waiters_.back().index >= index) in_index_order_ = false;
    waiters_.push_back(Waiter{index, term, deadline, std::move(done)});
    size_++;
}

ShortenResponse PendingCreates::replaced_response() {
    ShortenResponse response;
    response.status = ShortenStatus::NotLeader;
    response.message = "leadership changed before the create committed; retry on the leader";
    return response;
}

std::size_t PendingCreates::find(LogIndex index) const {
    if (size_ == 0) return waiters_.size();
    // An entry applied in index order nearly always finds its create first.
    if (waiters_[first_].index == index) return first_;
    const auto unanswered = waiters_.begin() + static_cast<std::ptrdiff_t>(first_);
    if (in_index_order_) {
        const auto found = std::lower_bound(
            unanswered, waiters_.end(), index,
            [](const Waiter& waiter, LogIndex wanted) { return waiter.index < wanted; });
        if (found != waiters_.end() && found->index == index && found->done) {
            return static_cast<std::size_t>(found - waiters_.begin());
        }
        return waiters_.size();
    }
    const auto found = std::find_if(unanswered, waiters_.end(), [index](const Waiter& waiter) {
        return waiter.index == index && waiter.done;
    });
    return static_cast<std::size_t>(found - waiters_.begin());
}

ShortenDone PendingCreates::forget(std::size_t position) {
    ASSERT_LT(position, waiters_.size());
    ASSERT(waiters_[position].done);
    ShortenDone done = std::move(waiters_[position].done);
    waiters_[position].done = nullptr;
    size_--;
    if (size_ == 0) {
        waiters_.clear();
        first_ = 0;
        in_index_order_ = true;
    } else if (waiters_.size() >= 2 * size_ + 64) {
        // Mostly answered waiters behind one that still waits: drop them, keeping the order.
        std::erase_if(waiters_, [](const Waiter& waiter) { return !waiter.done; });
        first_ = 0;
    } else {
        while (!waiters_[first_].done) first_++;
    }
    return done;
}

void PendingCreates::answer_applied(LogIndex index, Term term, const fsm::UrlStore& store,
                                    const fsm::Applied* created) {
    const std::size_t position = find(index);
    if (position == waiters_.size()) return;
    const Term waiter_term = waiters_[position].term;
    ShortenDone done = forget(position);
    if (term != waiter_term || created == nullptr) {
        // Another leader's entry took this index (§5.3): our proposal was never committed.
        done(replaced_response());
        return;
    }
    // The record is built in its place in the response, not moved there from a temporary.
    const ShortenResponse response{.status = ShortenStatus::Created,
                                   .record = store.record(created->record_index),
                                   .deduplicated = created->deduplicated,
                                   .leader_id = no_node,
                                   .message = {}};
    done(response);
}

void PendingCreates::expire(Nanos now) {
    // Deadlines never decrease in insertion order, so the first waiter's is the earliest.
    while (size_ > 0 && waiters_[first_].deadline <= now) {
        ShortenDone done = forget(first_);
        ShortenResponse response;
        response.status = ShortenStatus::Timeout;
        response.message = "the create was not committed in time; it may still commit later";
        done(response);
    }
}

}  // namespace raftlink::service
