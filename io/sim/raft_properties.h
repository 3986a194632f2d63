// SPDX-License-Identifier: MIT
// Raft's safety properties (Figure 3) and the client-facing promises as pure functions over
// plain data, so that each can be unit-tested with violating inputs that a correct cluster
// never produces. The Checker feeds them what it observes after every event.
//
// A log is described by its entries' stamps, (term, id of the data), index i at position
// i - 1. None of these functions looks at a live node.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/fsm/url_store.h"
#include "core/types.h"

namespace raftlink::sim {

/// What identifies a log entry's contents: its term, and an id of its data that is equal for
/// equal data at one index (the checker numbers the distinct contents it meets at each index).
struct EntryStamp {
    Term term;
    std::uint64_t data = 0;
    bool operator==(const EntryStamp&) const = default;
};

/// The first index at which `now` lacks or changed an entry of `before`, or nullopt when
/// `now` extends `before`.
///
/// Leader append-only (§5.3, Figure 3): a leader never overwrites or deletes entries in its
/// log; `before` is its log earlier in the same term. Leader completeness (§5.4.1, Figure 3):
/// every committed entry is in the log of every later leader; `before` is the committed
/// prefix, `now` the new leader's log.
std::optional<LogIndex> first_entry_not_kept(std::span<const EntryStamp> before,
                                             std::span<const EntryStamp> now);

/// A value that must never decrease (a node's commit index within one incarnation, its term
/// across incarnations). Returns a description of the decrease, or nullopt; then `seen`
/// becomes `now`'s maximum with it.
std::optional<std::string> went_backwards(const char* what, std::uint64_t& seen, std::uint64_t now);

/// A create a client was told succeeded. `code_of_index` says whether its short id is the one
/// the code bijection under `code_key` gives its index (as for every create an honest store
/// applied): a store with that key is then asked at the index, without decoding the id or
/// building a record.
struct AcknowledgedCreate {
    fsm::UrlRecord record;
    std::uint64_t code_key = 0;
    bool code_of_index = false;
};
AcknowledgedCreate acknowledged_create(fsm::UrlRecord record, std::uint64_t code_key);
/// Whether `store` resolves the create's short id to its URL (store.find(code) does).
bool store_holds(const fsm::UrlStore& store, const AcknowledgedCreate& create);
/// Whether `store` knows the create's short id at all, with whatever URL.
bool store_knows(const fsm::UrlStore& store, const AcknowledgedCreate& create);
/// Acknowledged writes are durable: the first of `by_index` (the create acknowledged at index i
/// at position i - 1, or nullptr) with an index in (`from`, store.applied_index()] that `store`
/// does not hold with the acknowledged URL, or nullptr. A store that applied past a create's
/// index must hold it, after a restart too.
const fsm::UrlRecord* first_acknowledged_missing(
    const fsm::UrlStore& store, std::span<const AcknowledgedCreate* const> by_index,
    LogIndex from);

/// A URL that a store holds under two short ids, and the ids.
struct DuplicateUrl {
    std::string url;
    std::string first_code;   // of the earlier record
    std::string second_code;  // of the later one
};

/// Idempotent creates: the duplicate a walk of `store` in log index order meets first (the
/// pair whose later record has the lowest index), or nullopt when every URL is stored once.
std::optional<DuplicateUrl> first_duplicate_url(const fsm::UrlStore& store);

/// Liveness deadline of an operation: once faults have healed at `healed`, an operation that
/// was outstanding then, or invoked later, must complete within `bound` of the later of the two.
inline Nanos liveness_deadline(Nanos invoked, Nanos healed, Nanos bound) {
    return std::max(invoked, healed) + bound;
}

}  // namespace raftlink::sim
