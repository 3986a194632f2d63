// SPDX-License-Identifier: MIT
// PackedEntries: a log's entries in the compact form raft::Log keeps them, for storage that
// hands a whole recovered log over at start-up. Its own header so that the log (log.h) and
// what a node returns (ready.h, which reads committed entries from the log) both use it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/types.h"

namespace raftlink::raft {

/// Entries 1..n without a heap buffer each: their payloads back to back, as raft::Log keeps
/// them. Storage that rebuilds a whole log at every start (the simulator's disk) hands it over
/// in this form, so that a restart does not allocate and free one buffer per entry.
struct PackedEntries {
    /// Where each run of entries with one term starts: increasing indexes, the first 1, and
    /// increasing terms.
    std::vector<std::pair<LogIndex, Term>> term_starts;
    /// ends[i]: where the payload of entry i + 1 ends in `payloads` (it starts at the previous
    /// end, or 0).
    std::vector<std::uint64_t> ends;
    Bytes payloads;
};

}  // namespace raftlink::raft
