// SPDX-License-Identifier: MIT
#include "core/raft/spare_buffers.h"

#include <utility>

namespace raftlink::raft {

std::vector<Entry> SpareBuffers::copy_entries(const Log& log, LogIndex first, LogIndex last) {
    std::vector<Entry> out;
    if (!entry_vectors_.empty()) {
        out = std::move(entry_vectors_.back());
        entry_vectors_.pop_back();
    }
    log.append_entries_to(first, last, out, payloads_);
    return out;
}

void SpareBuffers::give(std::vector<Entry>&& entries) {
    // Last entry first: copy_entries() takes them back in entry order, so that a follower's
    // write of the entries it just received gets each payload's own buffer, of just the right
    // size.
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
        if (payloads_.size() == payloads_max_) break;
        // A no-op's empty payload has no buffer worth keeping.
        if (entry->data.capacity() > 0) payloads_.push_back(std::move(entry->data));
    }
    entries.clear();
    if (entries.capacity() > 0 && entries.capacity() <= entry_vector_capacity_max &&
        entry_vectors_.size() < entry_vectors_max_) {
        entry_vectors_.push_back(std::move(entries));
    }
}

}  // namespace raftlink::raft
