// SPDX-License-Identifier: MIT
#include "io/sim/raft_properties.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "core/assert.h"
#include "core/fsm/short_code.h"
#include "core/text.h"
#include "io/sim/text_index.h"

namespace raftlink::sim {

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
    // answer, with the record that first held it. The views stay valid: nothing is applied
    // to the store during the walk.
    TextIndex seen(store.size());
    std::optional<DuplicateUrl> first;
    store.for_each_url([&](LogIndex index, std::string_view url) {
        if (first) return;
        const std::uint64_t first_index = seen.emplace(url, index.value);
        if (first_index != index.value) {
            first = DuplicateUrl{std::string(url),
                                 fsm::short_code_for(LogIndex(first_index), store.code_key()),
                                 fsm::short_code_for(index, store.code_key())};
        }
    });
    return first;
}

}  // namespace raftlink::sim
