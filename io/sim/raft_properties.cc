// SPDX-License-Identifier: MIT
#include "io/sim/raft_properties.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/fsm/short_code.h"
#include "core/text.h"

namespace raftlink::sim {

namespace {

// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
std::uint64_t mix(std::uint64_t value) {
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    value *= 0xc4ceb9fe1a85ec53ULL;
    value ^= value >> 33;
    return value;
}

}  // namespace

std::uint64_t hash_bytes(ByteView bytes) {
    constexpr std::uint64_t multiplier = 0x9e3779b97f4a7c15ULL;
    std::uint64_t hash = bytes.size() * multiplier;
    std::size_t offset = 0;
    for (; offset + 8 <= bytes.size(); offset += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes.data() + offset, sizeof word);  // host order: within one run
        hash = (hash ^ word) * multiplier;
        hash ^= hash >> 29;
    }
    std::uint64_t tail = 0;
    if (offset < bytes.size()) std::memcpy(&tail, bytes.data() + offset, bytes.size() - offset);
    return mix(hash ^ mix(tail + 1));
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
    // The answer of a walk in log index order that remembers the URLs met so far: the record
    // with the lowest index whose URL an earlier record holds, and the first record holding
    // it. Found here by sorting the records by (hash of the URL, index) instead, so that equal
    // URLs are neighbours in index order: this runs over every store at the end of every run,
    // and a hash map of the URLs cost an allocation per record (speed-5 seed 1: 8.9M -> 5.0M
    // instructions). The views stay valid: nothing is applied to the store meanwhile.
    std::vector<std::pair<LogIndex, std::string_view>> records;  // in index order
    records.reserve(store.size());
    store.for_each_url(
        [&records](LogIndex index, std::string_view url) { records.emplace_back(index, url); });
    std::vector<std::pair<std::uint64_t, std::size_t>> by_hash;  // (hash, position in records)
    by_hash.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::string_view url = records[i].second;
        by_hash.emplace_back(
            hash_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(url.data()), url.size())),
            i);
    }
    std::sort(by_hash.begin(), by_hash.end());
    // Within a run of equal hashes (positions ascending), the first record with an equal
    // predecessor, and its first equal predecessor; the lowest such record over all runs.
    std::optional<std::pair<std::size_t, std::size_t>> first;  // positions (earlier, later)
    for (std::size_t run = 0; run < by_hash.size();) {
        std::size_t run_end = run + 1;
        while (run_end < by_hash.size() && by_hash[run_end].first == by_hash[run].first) ++run_end;
        for (std::size_t later = run + 1; later < run_end; ++later) {
            const std::size_t position = by_hash[later].second;
            if (first && position >= first->second) break;  // cannot be the lowest
            const auto earlier = std::find_if(
                by_hash.begin() + static_cast<std::ptrdiff_t>(run),
                by_hash.begin() + static_cast<std::ptrdiff_t>(later),
                [&](const auto& candidate) {
                    return records[candidate.second].second == records[position].second;
                });
            if (earlier != by_hash.begin() + static_cast<std::ptrdiff_t>(later)) {
                first = std::pair{earlier->second, position};
                break;  // later records of this run have higher indexes
            }
        }
        run = run_end;
    }
    if (!first) return std::nullopt;
    const auto& [earlier_index, url] = records[first->first];
    return DuplicateUrl{std::string(url), fsm::short_code_for(earlier_index, store.code_key()),
                        fsm::short_code_for(records[first->second].first, store.code_key())};
}

}  // namespace raftlink::sim
