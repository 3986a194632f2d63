// SPDX-License-Identifier: MIT
// Linearizable reads a leader is serving (ReadIndex, thesis §6.4).
//
// A read waits first for the node to confirm its leadership (the node reports the read's
// index), then for the store to apply that index; then it is answered from the store. A read
// whose leader steps down before confirming it gets NotLeader; one that waits past its
// deadline gets Timeout. Bounded by pending_reads_max (core/raft/read_index.h).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "core/fsm/url_store.h"
#include "core/service/requests.h"
#include "core/types.h"

namespace raftlink::service {

class PendingReads {
public:
    std::size_t size() const { return by_id_.size(); }

    /// Registers read `id` of `code`, answered by `deadline` at the latest.
    void add(std::uint64_t id, std::string code, Nanos deadline, ResolveDone done);
    /// The node confirmed read `id` at `index`; answers it now if `store` has applied it.
    void on_confirmed(std::uint64_t id, LogIndex index, const fsm::UrlStore& store);
    /// Answers every confirmed read whose index `store` has now applied.
    void on_applied(const fsm::UrlStore& store);
    /// Answers every read not yet confirmed with `response` (the node lost leadership).
    void fail_unconfirmed(const ResolveResponse& response);
    /// Answers Timeout to every read whose deadline is <= now.
    void expire(Nanos now);
    /// The earliest deadline, or INT64_MAX when nothing waits.
    Nanos next_deadline() const {
        return by_deadline_.empty() ? std::numeric_limits<Nanos>::max()
                                    : by_deadline_.begin()->first;
    }
    bool has_unconfirmed() const { return unconfirmed_ > 0; }

private:
    struct Read {
        std::string code;
        Nanos deadline = 0;
        ResolveDone done;
        bool confirmed = false;
        LogIndex index;
    };
    void answer(std::uint64_t id, const ResolveResponse& response);

    std::map<std::uint64_t, Read> by_id_;
    std::multimap<LogIndex, std::uint64_t> confirmed_by_index_;
    // Deadlines in order, so the replica's hot path never scans every read.
    std::multimap<Nanos, std::uint64_t> by_deadline_;
    std::size_t unconfirmed_ = 0;
};

}  // namespace raftlink::service
