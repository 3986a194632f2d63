// SPDX-License-Identifier: MIT
#include "core/service/pending_reads.h"

#include <utility>
#include <vector>

#include "core/assert.h"

namespace raftlink::service {
namespace {

ResolveResponse lookup(const fsm::UrlStore& store, const std::string& code) {
    ResolveResponse response;
    if (const auto url = store.url_for(code)) {
        response.status = ResolveStatus::Found;
        response.url = *url;
    }
    return response;
}

}  // namespace

void PendingReads::add(std::uint64_t id, std::string code, Nanos deadline, ResolveDone done) {
    const bool inserted =
        by_id_.emplace(id, Read{std::move(code), deadline, std::move(done), false, LogIndex(0)})
            .second;
    ASSERT(inserted);
    by_deadline_.emplace(deadline, id);
    ++unconfirmed_;
}

void PendingReads::on_confirmed(std::uint64_t id, LogIndex index, const fsm::UrlStore& store) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second.confirmed) return;  // expired meanwhile
    it->second.confirmed = true;
    it->second.index = index;
    --unconfirmed_;
    if (store.applied_index() >= index) {
        answer(id, lookup(store, it->second.code));
    } else {
        confirmed_by_index_.emplace(index, id);
    }
}

void PendingReads::on_applied(const fsm::UrlStore& store) {
    while (!confirmed_by_index_.empty() &&
           confirmed_by_index_.begin()->first <= store.applied_index()) {
        const std::uint64_t id = confirmed_by_index_.begin()->second;
        confirmed_by_index_.erase(confirmed_by_index_.begin());
        answer(id, lookup(store, by_id_.at(id).code));
    }
}

void PendingReads::fail_unconfirmed(const ResolveResponse& response) {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, read] : by_id_) {
        if (!read.confirmed) ids.push_back(id);
    }
    for (const std::uint64_t id : ids) answer(id, response);
}

void PendingReads::expire(Nanos now) {
    ResolveResponse timeout;
    timeout.status = ResolveStatus::Timeout;
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
        answer(by_deadline_.begin()->second, timeout);  // removes the deadline entry too
    }
}

void PendingReads::answer(std::uint64_t id, const ResolveResponse& response) {
    const auto it = by_id_.find(id);
    ASSERT(it != by_id_.end());
    Read read = std::move(it->second);
    by_id_.erase(it);
    const auto deadlines = by_deadline_.equal_range(read.deadline);
    for (auto entry = deadlines.first; entry != deadlines.second; ++entry) {
        if (entry->second == id) {
            by_deadline_.erase(entry);
            break;
        }
    }
    if (!read.confirmed) {
        --unconfirmed_;
    } else if (read.index > LogIndex(0)) {
        const auto range = confirmed_by_index_.equal_range(read.index);
        for (auto entry = range.first; entry != range.second; ++entry) {
            if (entry->second == id) {
                confirmed_by_index_.erase(entry);
                break;
            }
        }
    }
    read.done(response);
}

}  // namespace raftlink::service
