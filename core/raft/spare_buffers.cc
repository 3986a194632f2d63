// SPDX-License-Identifier: MIT
#include "core/raft/spare_buffers.h"

#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

void SpareBuffers::copy_entries_into(const Log& log, LogIndex first, LogIndex last,
                                     std::vector<Entry>& out) {
    ASSERT(out.empty());
    if (entry_vector_count_ > 0 && out.capacity() == 0) {
        --entry_vector_count_;
        out.swap(entry_vectors_[entry_vector_count_]);
    }
    log.append_entries_to(first, last, out, payloads_);
}

void SpareBuffers::give(std::vector<Entry>&& entries) {
    // Last entry first: copy_entries_into() takes them back in entry order, so that a follower's
    // write of the entries it just received gets each payload's own buffer, of just the right
    // size.
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
        if (payloads_.size() == payloads_max_) break;
        // A no-op's empty payload has no buffer worth keeping.
        if (entry->data.capacity() > 0) payloads_.push_back(std::move(entry->data));
    }
    entries.clear();
    if (entries.capacity() > 0 && entries.capacity() <= entry_vector_capacity_max &&
        entry_vector_count_ < entry_vectors_max_) {
        if (entry_vector_count_ == entry_vectors_.size()) entry_vectors_.emplace_back();
        entry_vectors_[entry_vector_count_].swap(entries);
        ++entry_vector_count_;
    }
}

}  // namespace raftlink::raft
