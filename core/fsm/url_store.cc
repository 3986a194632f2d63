// SPDX-License-Identifier: MIT
#include "core/fsm/url_store.h"

#include <limits>
#include <utility>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/codec.h"
#include "core/fsm/short_code.h"
#include "core/hash.h"

namespace raftlink::fsm {
namespace {

// Snapshot layout (little-endian, codec.h):
//   u8 format version, u64 code_key, u64 applied_index,
//   u64 record_count, then per record in index order: u64 index, string url, i64 created_at_ms,
//   u64 key_count, then per key in index order: u64 index, string key.
// Codes are not stored: they are a function of (index, code_key). Every list is in strictly
// increasing index order, so a valid snapshot has exactly one encoding and decoding then
// re-encoding gives back the same bytes.
constexpr std::uint8_t snapshot_format_version = 1;
// The smallest encoded record and key, to reject a count the remaining bytes cannot hold
// before looping over it.
constexpr std::size_t record_bytes_min = 8 + 4 + 8;
constexpr std::size_t key_bytes_min = 8 + 4;

constexpr std::uint32_t string_length_unbounded = std::numeric_limits<std::uint32_t>::max();

struct SnapshotRecord {
    LogIndex index;
    std::string url;
    std::int64_t created_at_ms = 0;
};

struct SnapshotKey {
    LogIndex index;
    std::string key;
};

Error malformed(const char* message) {
    return make_error(ErrorCode::Malformed, std::string("snapshot: ") + message);
}

Error out_of_range(const char* message) {
    return make_error(ErrorCode::OutOfRange, std::string("snapshot: ") + message);
}

/// Reads the record list and checks what it can on its own: order, index bounds, url length.
Result<std::vector<SnapshotRecord>> decode_records(ByteReader& reader, LogIndex applied_index) {
    const std::uint64_t record_count = reader.u64();
    if (!reader.ok()) return malformed("truncated record count");
    if (record_count > reader.remaining() / record_bytes_min) {
        return malformed("record count exceeds the snapshot size");
    }
    std::vector<SnapshotRecord> records;
    records.reserve(static_cast<std::size_t>(record_count));
    LogIndex previous_index{0};
    for (std::uint64_t i = 0; i < record_count; i++) {
        SnapshotRecord record;
        record.index = LogIndex(reader.u64());
        record.url = reader.string(string_length_unbounded);
        record.created_at_ms = reader.i64();
        if (!reader.ok()) return malformed("truncated record");
        // Strictly increasing from index 1 also rules out duplicates and index 0.
        if (record.index <= previous_index) return malformed("records out of index order");
        if (record.index > applied_index) return out_of_range("record beyond applied index");
        if (record.index.value >= short_code_index_max) {
            return out_of_range("record index has no short code");
        }
        if (record.url.size() > url_bytes_max) return out_of_range("url too long");
        previous_index = record.index;
        records.push_back(std::move(record));
    }
    return records;
}

/// Reads the idempotency list and checks order and key bounds; whether each key belongs to a
/// record and is unique needs the rebuilt store, so the caller checks that.
Result<std::vector<SnapshotKey>> decode_keys(ByteReader& reader) {
    const std::uint64_t key_count = reader.u64();
    if (!reader.ok()) return malformed("truncated key count");
    if (key_count > idempotency_keys_max) return out_of_range("too many idempotency keys");
    if (key_count > reader.remaining() / key_bytes_min) {
        return malformed("key count exceeds the snapshot size");
    }
    std::vector<SnapshotKey> keys;
    keys.reserve(static_cast<std::size_t>(key_count));
    LogIndex previous_index{0};
    for (std::uint64_t i = 0; i < key_count; i++) {
        SnapshotKey entry;
        entry.index = LogIndex(reader.u64());
        entry.key = reader.string(string_length_unbounded);
        if (!reader.ok()) return malformed("truncated idempotency key");
        if (entry.index <= previous_index) return malformed("keys out of index order");
        // An empty key means "no key" and is never remembered.
        if (entry.key.empty()) return malformed("empty idempotency key");
        if (entry.key.size() > idempotency_key_bytes_max) {
            return out_of_range("idempotency key too long");
        }
        previous_index = entry.index;
        keys.push_back(std::move(entry));
    }
    return keys;
}

}  // namespace

UrlStore::UrlStore(std::uint64_t code_key) : code_key_(code_key) {}

CreateResult UrlStore::apply(LogIndex index, const Command& command) {
    ASSERT_EQ(index, applied_index_ + 1);
    const auto* create = std::get_if<CreateUrl>(&command);
    ASSERT(create != nullptr);
    // The command was decoded (or built by the service) within these bounds.
    ASSERT_LE(create->url.size(), url_bytes_max);
    ASSERT_LE(create->idempotency_key.size(), idempotency_key_bytes_max);

    // A retry, or a duplicate proposal after a leader change, applies the same command at a
    // later index; the key makes it return the first create's record instead of a new code.
    // Deduplicated applies still advance applied_index: every entry is applied exactly once.
    applied_index_ = index;
    if (!create->idempotency_key.empty()) {
        const auto known = index_by_key_.find(create->idempotency_key);
        if (known != index_by_key_.end()) {
            const auto record = records_.find(known->second);
            ASSERT(record != records_.end());
            return CreateResult{record->second, true};
        }
    }

    const UrlRecord& record = insert_record(index, create->url, create->created_at_ms);
    if (!create->idempotency_key.empty()) insert_key(index, create->idempotency_key);
    ASSERT_EQ(records_.size(), index_by_code_.size());
    ASSERT_EQ(index_by_key_.size(), keys_by_index_.size());
    return CreateResult{record, false};
}

void UrlStore::apply_noop(LogIndex index) {
    ASSERT_EQ(index, applied_index_ + 1);
    applied_index_ = index;
}

std::optional<UrlRecord> UrlStore::lookup(std::string_view code) const {
    const UrlRecord* record = find(code);
    if (record == nullptr) return std::nullopt;
    return *record;
}

const UrlRecord* UrlStore::find(std::string_view code) const {
    // The code comes from a client and may be anything; an unknown one is simply absent.
    const auto found = index_by_code_.find(code);
    if (found == index_by_code_.end()) return nullptr;
    const auto record = records_.find(found->second);
    ASSERT(record != records_.end());
    ASSERT_EQ(record->second.code, code);
    return &record->second;
}

const UrlRecord& UrlStore::insert_record(LogIndex index, std::string url,
                                         std::int64_t created_at_ms) {
    ASSERT_GE(index.value, std::uint64_t{1});
    ASSERT_LE(index, applied_index_);
    UrlRecord record{short_code_for(index, code_key_), std::move(url), index, created_at_ms};
    // short_code_for is a bijection on indexes, so a fresh index always has a fresh code.
    const bool code_fresh = index_by_code_.emplace(record.code, index).second;
    ASSERT(code_fresh);
    const auto [position, index_fresh] = records_.emplace(index, std::move(record));
    ASSERT(index_fresh);
    return position->second;
}

void UrlStore::insert_key(LogIndex index, std::string key) {
    ASSERT(!key.empty());
    ASSERT(records_.contains(index));
    const bool key_fresh = index_by_key_.emplace(key, index).second;
    ASSERT(key_fresh);
    const bool index_fresh = keys_by_index_.emplace(index, std::move(key)).second;
    ASSERT(index_fresh);
    // One insertion per call, so one eviction restores the bound.
    if (keys_by_index_.size() > idempotency_keys_max) {
        const auto oldest = keys_by_index_.begin();
        ASSERT_LT(oldest->first, index);
        index_by_key_.erase(oldest->second);
        keys_by_index_.erase(oldest);
    }
    ASSERT_LE(keys_by_index_.size(), idempotency_keys_max);
    ASSERT_EQ(index_by_key_.size(), keys_by_index_.size());
}

Bytes UrlStore::encode_snapshot() const {
    ByteWriter writer;
    writer.u8(snapshot_format_version);
    writer.u64(code_key_);
    writer.u64(applied_index_.value);
    // Ordered maps only: the snapshot must be byte-identical on every replica.
    writer.u64(records_.size());
    for (const auto& [index, record] : records_) {
        writer.u64(index.value);
        writer.string(record.url);
        writer.i64(record.created_at_ms);
    }
    writer.u64(keys_by_index_.size());
    for (const auto& [index, key] : keys_by_index_) {
        writer.u64(index.value);
        writer.string(key);
    }
    return writer.take();
}

Result<UrlStore> UrlStore::decode_snapshot(ByteView snapshot) {
    // The bytes come from disk or from a peer's InstallSnapshot: validate everything, assert
    // nothing about them.
    ByteReader reader(snapshot);
    const std::uint8_t version = reader.u8();
    const std::uint64_t code_key = reader.u64();
    const LogIndex applied_index(reader.u64());
    if (!reader.ok()) return malformed("truncated header");
    if (version != snapshot_format_version) return malformed("unknown format version");

    auto records = decode_records(reader, applied_index);
    if (!records) return records.error();
    auto keys = decode_keys(reader);
    if (!keys) return keys.error();
    if (!reader.at_end()) return malformed("trailing bytes");

    UrlStore store(code_key);
    store.applied_index_ = applied_index;
    for (auto& record : records.value()) {
        store.insert_record(record.index, std::move(record.url), record.created_at_ms);
    }
    for (auto& entry : keys.value()) {
        // A key is remembered at the index of the create that first used it, so it must name a
        // record, and a key is remembered once.
        if (!store.records_.contains(entry.index)) {
            return malformed("idempotency key without a record");
        }
        if (store.index_by_key_.contains(entry.key)) {
            return malformed("duplicate idempotency key");
        }
        store.insert_key(entry.index, std::move(entry.key));
    }
    return store;
}

std::uint64_t UrlStore::digest() const {
    // FNV-1a 64: not collision resistant, but replicas are not adversaries; it only has to make
    // an accidental divergence visible.
    return fnv1a64(encode_snapshot());
}

}  // namespace raftlink::fsm
