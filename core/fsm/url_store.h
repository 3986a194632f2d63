// SPDX-License-Identifier: MIT
// The URL store: the replicated state machine of the URL shortener.
//
// A pure function of the applied log: every replica that applies the same entries holds the
// same mappings and produces a byte-identical snapshot. It never reads a clock or a random
// source. Invariant: applied_index() only grows, by exactly one per apply call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/fsm/commands.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::fsm {

struct UrlRecord {
    std::string code;
    std::string url;
    LogIndex index;
    std::int64_t created_at_ms = 0;

    bool operator==(const UrlRecord&) const = default;
};

/// What applying a CreateUrl produced: the (possibly earlier, deduplicated) record.
struct CreateResult {
    UrlRecord record;
    /// True when the idempotency key was seen before and no new mapping was created.
    bool deduplicated = false;
};

/// Bounds the idempotency table; the entry with the lowest log index is evicted first.
constexpr std::size_t idempotency_keys_max = 1'000'000;

class UrlStore {
public:
    /// `code_key` keys the short-code bijection; all replicas of a cluster use the same key.
    explicit UrlStore(std::uint64_t code_key);

    /// Applies a create committed at `index`. Precondition: index == applied_index() + 1.
    CreateResult apply(LogIndex index, const Command& command);
    /// Applies Raft's no-op entry at `index` (it only advances applied_index()).
    void apply_noop(LogIndex index);

    std::optional<UrlRecord> lookup(std::string_view code) const;
    /// lookup() without the copy: the record, valid until the next apply, or null.
    const UrlRecord* find(std::string_view code) const;
    /// Calls `visit` for every record, in log index order.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (const auto& [index, record] : records_) visit(record);
    }
    LogIndex applied_index() const { return applied_index_; }
    std::size_t size() const { return records_.size(); }
    std::uint64_t code_key() const { return code_key_; }

    /// A deterministic encoding of the whole state (records and idempotency table in sorted
    /// order), byte-identical on every replica at the same applied index.
    Bytes encode_snapshot() const;
    static Result<UrlStore> decode_snapshot(ByteView snapshot);
    /// A 64-bit hash of encode_snapshot(), to compare replicas cheaply.
    std::uint64_t digest() const;

private:
    /// Adds the record of the create applied at `index`; its code is derived from the index,
    /// never stored. Precondition: no record at `index` yet.
    const UrlRecord& insert_record(LogIndex index, std::string url, std::int64_t created_at_ms);
    /// Remembers that the create at `index` first used `key`, evicting the key with the lowest
    /// index when the table is over idempotency_keys_max. Precondition: `key` is not known.
    void insert_key(LogIndex index, std::string key);

    std::uint64_t code_key_;
    LogIndex applied_index_{0};
    // Keyed by log index, so iteration (snapshots) is in a deterministic order.
    std::map<LogIndex, UrlRecord> records_;
    /// Hashes std::string and std::string_view alike, so that a lookup by a view of a code or
    /// key does not copy it into a string first (C++20 heterogeneous lookup).
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    using IndexByText = std::unordered_map<std::string, LogIndex, TextHash, std::equal_to<>>;
    // code -> index, for lookups; never iterated.
    IndexByText index_by_code_;
    // idempotency key -> index of the create that first used it; never iterated for output
    // (eviction and snapshots use keys_by_index_).
    IndexByText index_by_key_;
    std::map<LogIndex, std::string> keys_by_index_;
};

}  // namespace raftlink::fsm
