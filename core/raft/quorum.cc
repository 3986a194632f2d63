// SPDX-License-Identifier: MIT
#include "core/raft/quorum.h"

#include <algorithm>
#include <functional>

#include "core/assert.h"

namespace raftlink::raft {

LogIndex committed_index(std::vector<LogIndex> match_indexes) {
    ASSERT(!match_indexes.empty());
    std::sort(match_indexes.begin(), match_indexes.end(), std::greater<>());
    return match_indexes[majority(match_indexes.size()) - 1];
}

}  // namespace raftlink::raft
