// SPDX-License-Identifier: MIT
// Majority arithmetic, as pure functions (etcd's quorum package).
#pragma once

#include <cstddef>
#include <span>

#include "core/types.h"

namespace raftlink::raft {

/// The number of voters that form a majority of `voter_count`.
constexpr std::size_t majority(std::size_t voter_count) { return voter_count / 2 + 1; }

/// The highest index that a majority has matched: the (majority)-th largest match index.
/// Reorders `match_indexes` (the caller's scratch: the leader calls this on every
/// acknowledgement, so it allocates nothing). Precondition: match_indexes is not empty.
LogIndex committed_index(std::span<LogIndex> match_indexes);

}  // namespace raftlink::raft
