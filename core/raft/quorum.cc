// SPDX-License-Identifier: MIT
#include "core/raft/quorum.h"

#include <algorithm>
#include <functional>

#include "core/assert.h"

namespace raftlink::raft {

LogIndex committed_index(std::span<LogIndex> match_indexes) {
    ASSERT(!match_indexes.empty());
    // Only the (majority)-th largest is wanted, not the whole order.
    const auto wanted = match_indexes.begin() +
                        static_cast<std::ptrdiff_t>(majority(match_indexes.size()) - 1);
    std::nth_element(match_indexes.begin(), wanted, match_indexes.end(), std::greater<>());
    return *wanted;
}

}  // namespace raftlink::raft
