// SPDX-License-Identifier: MIT
#include "io/sim/raft_properties.h"

#include <algorithm>

#include "core/hash.h"
#include "core/text.h"

namespace raftlink::sim {

std::uint64_t hash_bytes(const Bytes& bytes) { return fnv1a64(bytes); }

EntryStamp stamp_of(const raft::Entry& entry) {
    return EntryStamp{entry.term, hash_bytes(entry.data)};
}

void append_stamps(const raft::Log& log, LogIndex from, std::vector<EntryStamp>& out) {
    for (LogIndex i = from; i <= log.last_index(); i = i + 1) out.push_back(stamp_of(log.at(i)));
}

std::optional<LogIndex> first_entry_not_kept(std::span<const EntryStamp> before,
                                             std::span<const EntryStamp> now) {
    const std::size_t common = std::min(before.size(), now.size());
    for (std::size_t i = 0; i < common; ++i) {
        if (before[i] != now[i]) return LogIndex(i + 1);
    }
    if (now.size() < before.size()) return LogIndex(now.size() + 1);
    return std::nullopt;
}

std::optional<std::string> went_backwards(const char* what, std::uint64_t& seen,
                                          std::uint64_t now) {
    if (now < seen) return concat(what, " went back from ", seen, " to ", now);
    seen = now;
    return std::nullopt;
}

std::optional<fsm::UrlRecord> first_acknowledged_missing(
    const fsm::UrlStore& store, const std::map<LogIndex, fsm::UrlRecord>& acknowledged,
    LogIndex from) {
    auto it = acknowledged.upper_bound(from);
    for (; it != acknowledged.end() && it->first <= store.applied_index(); ++it) {
        const auto found = store.lookup(it->second.code);
        if (!found || found->url != it->second.url) return it->second;
    }
    return std::nullopt;
}

Nanos liveness_deadline(Nanos invoked, Nanos healed, Nanos bound) {
    return std::max(invoked, healed) + bound;
}

}  // namespace raftlink::sim
