// SPDX-License-Identifier: MIT
// SpareBuffers: the payload buffers and entry vectors of entries that went out of use (an
// AppendEntries received, a storage write encoded), kept for the next copies of log entries.
//
// A node copies entries out of its compact log for every AppendEntries and every storage
// write; without spares each copy is a heap buffer per entry. A node owns one by default (the
// real node: one node per process). The simulator shares one among the nodes of a run: a
// leader receives no entries, so a pool of its own stays empty, while its followers and the
// disks give theirs back; shared, the buffers go round and the replication path allocates
// next to nothing. Bounded: a catch-up's burst of buffers is not kept for good.
// Single-threaded: whoever gives and takes must run on one thread.
#pragma once

#include <cstddef>
#include <vector>

#include "core/raft/log.h"
#include "core/raft/messages.h"
#include "core/types.h"

namespace raftlink::raft {

class SpareBuffers {
public:
    /// Payload buffers a node keeps by default. A steady append carries a few entries; a
    /// catch-up one up to entries_per_append_max, whose buffers (each up to a maximal URL's
    /// command) must not be kept for good: 256 keeps at most about 2 MiB.
    static constexpr std::size_t default_payloads_max = 256;
    /// Entry vectors kept likewise: a few are in use at once (an append per follower, a
    /// write); one that grew for a long write is not kept.
    static constexpr std::size_t default_entry_vectors_max = 16;
    static constexpr std::size_t entry_vector_capacity_max = 256;

    explicit SpareBuffers(std::size_t payloads_max = default_payloads_max,
                          std::size_t entry_vectors_max = default_entry_vectors_max)
        : payloads_max_(payloads_max), entry_vectors_max_(entry_vectors_max) {}

    /// Copies of the entries [first, last] of `log` into `out`, which must be empty, in a
    /// spare vector and spare payload buffers while there are any: the copies are built where
    /// they are wanted (a message's or a write's vector), with no vector to move and destroy
    /// on the way. Preconditions as for Log::append_entries_to().
    void copy_entries_into(const Log& log, LogIndex first, LogIndex last,
                           std::vector<Entry>& out);
    /// Keeps the buffers of `entries`, up to the bounds above; the rest are freed.
    void give(std::vector<Entry>&& entries);

    std::size_t payload_count() const { return payloads_.size(); }
    std::size_t entry_vector_count() const { return entry_vector_count_; }

private:
    std::size_t payloads_max_;
    std::size_t entry_vectors_max_;
    // The spare vectors are the first entry_vector_count_; the rest are places emptied by
    // taking one (swapped out), kept for the next one given back, so that neither taking nor
    // giving destroys a vector (an out-of-line call for each).
    std::vector<std::vector<Entry>> entry_vectors_;
    std::size_t entry_vector_count_ = 0;
    std::vector<Bytes> payloads_;
};

}  // namespace raftlink::raft
