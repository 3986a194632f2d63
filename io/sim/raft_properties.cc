// SPDX-License-Identifier: MIT
#include "io/sim/raft_properties.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/assert.h"
#include "core/fsm/short_code.h"
#include "core/text.h"

namespace raftlink::sim {
namespace {

// A hash of `text` for first_duplicate_url's table: its words multiplied in, eight bytes at a
// time (the last eight, which tell the workload's URLs apart, as one word), then mixed so
// that every bit reaches the low ones the table uses (murmur3's finalizer).
std::uint64_t url_hash(std::string_view text) {
    constexpr std::uint64_t multiplier = 0x9e37'79b9'7f4a'7c15;
    std::uint64_t hash = text.size();
    std::uint64_t word = 0;
    if (text.size() < 8) {
        std::memcpy(&word, text.data(), text.size());
        hash = (hash ^ word) * multiplier;
    } else {
        for (std::size_t at = 0; at + 8 < text.size(); at += 8) {
            std::memcpy(&word, text.data() + at, 8);
            hash = (hash ^ word) * multiplier;
        }
        std::memcpy(&word, text.data() + text.size() - 8, 8);
        hash = (hash ^ word) * multiplier;
    }
    hash ^= hash >> 33;
    hash *= 0xff51'afd7'ed55'8ccd;
    hash ^= hash >> 33;
    return hash;
}

}  // namespace

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

AcknowledgedCreate acknowledged_create(fsm::UrlRecord record, std::uint64_t code_key) {
    const bool code_of_index = record.index.value >= 1 &&
                               record.index.value < fsm::short_code_index_max &&
                               fsm::short_code_for(record.index, code_key) == record.code;
    return AcknowledgedCreate{std::move(record), code_key, code_of_index};
}

bool store_holds(const fsm::UrlStore& store, const AcknowledgedCreate& create) {
    // The code bijection maps the id back to the record's index, so find() would look there.
    if (create.code_of_index && create.code_key == store.code_key()) {
        const std::optional<std::string_view> url = store.url_at(create.record.index);
        return url && *url == create.record.url;
    }
    const fsm::UrlRecord* found = store.find(create.record.code);
    return found != nullptr && found->url == create.record.url;
}

bool store_knows(const fsm::UrlStore& store, const AcknowledgedCreate& create) {
    if (create.code_of_index && create.code_key == store.code_key()) {
        return store.url_at(create.record.index).has_value();
    }
    return store.find(create.record.code) != nullptr;
}

const fsm::UrlRecord* first_acknowledged_missing(
    const fsm::UrlStore& store, std::span<const AcknowledgedCreate* const> by_index,
    LogIndex from) {
    const std::size_t end = std::min<std::size_t>(store.applied_index().value, by_index.size());
    for (std::size_t position = from.value; position < end; ++position) {
        const AcknowledgedCreate* create = by_index[position];
        if (create != nullptr && !store_holds(store, *create)) return &create->record;
    }
    return nullptr;
}

std::optional<DuplicateUrl> first_duplicate_url(const fsm::UrlStore& store) {
    // One walk in log index order over the URLs met so far: the first URL met again is the
    // answer, with the record that first held it. This runs over every store at the end of
    // every run, so the records met are kept in an open-addressing table at most half full,
    // (hash, index) per slot, the URL looked up in the store only where the hashes are
    // equal: 1.1M instructions fewer for speed-5 seed 1 than a node-based map with std::hash.
    struct Seen {
        std::uint64_t hash;
        std::uint64_t index;  // 0: an empty slot (records are at indexes >= 1)
    };
    std::size_t capacity = 16;
    while (capacity < 2 * store.size()) capacity *= 2;
    std::vector<Seen> seen(capacity);
    const std::size_t mask = capacity - 1;
    std::optional<DuplicateUrl> first;
    store.for_each_url([&](LogIndex index, std::string_view url) {
        if (first) return;
        const std::uint64_t hash = url_hash(url);
        for (std::size_t at = hash & mask;; at = (at + 1) & mask) {
            Seen& slot = seen[at];
            if (slot.index == 0) {
                slot = Seen{hash, index.value};
                return;
            }
            if (slot.hash == hash && store.url_at(LogIndex(slot.index)) == url) {
                first = DuplicateUrl{std::string(url),
                                     fsm::short_code_for(LogIndex(slot.index), store.code_key()),
                                     fsm::short_code_for(index, store.code_key())};
                return;
            }
        }
    });
    return first;
}

}  // namespace raftlink::sim
