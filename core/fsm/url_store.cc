// SPDX-License-Identifier: MIT
#include "core/fsm/url_store.h"

#include <algorithm>
#include <cstring>
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

// encode_snapshot() and digest() produce the encoding in pieces of about this size.
constexpr std::size_t snapshot_piece_bytes = 64 * 1024;

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

UrlStore::UrlStore(std::uint64_t code_key) : codes_(code_key) {}

CreateResult UrlStore::apply(LogIndex index, const Command& command) {
    return apply(index, view_of(command));
}

CreateResult UrlStore::apply(LogIndex index, const CommandView& command) {
    const auto* create = std::get_if<CreateUrlView>(&command);
    ASSERT(create != nullptr);
    const Applied applied = apply_create(index, *create);
    return CreateResult{record(applied.record_index), applied.deduplicated};
}

Applied UrlStore::apply_create(LogIndex index, const CreateUrlView& create) {
    ASSERT_EQ(index, applied_index_ + 1);
    // The command was decoded (or built by the service) within these bounds.
    ASSERT_LE(create.url.size(), url_bytes_max);
    ASSERT_LE(create.idempotency_key.size(), idempotency_key_bytes_max);

    // A retry, or a duplicate proposal after a leader change, applies the same command at a
    // later index; the key makes it return the first create's record instead of a new code.
    // Deduplicated applies still advance applied_index: every entry is applied exactly once.
    applied_index_ = index;
    const bool keyed = !create.idempotency_key.empty();
    const std::size_t hash = keyed ? key_hash(create.idempotency_key) : 0;
    if (keyed) {
        const KeyEntry* known = find_key(create.idempotency_key, hash);
        if (known != nullptr) return Applied{known->index, true};
    }

    insert_record(index, create.url, create.created_at_ms);
    if (keyed) insert_key(index, create.idempotency_key, hash);
    return Applied{index, false};
}

void UrlStore::apply_noop(LogIndex index) {
    ASSERT_EQ(index, applied_index_ + 1);
    applied_index_ = index;
}

const UrlStore::Slot* UrlStore::slot_of_code(std::string_view code, LogIndex& index) const {
    // The code comes from a client and may be anything; an unknown one is simply absent.
    const std::optional<LogIndex> decoded = codes_.index_for(code);
    if (!decoded || *decoded > last_record_index_) return nullptr;
    const Slot* slot = slot_at(*decoded);
    if (slot == nullptr || slot->block == absent_block) return nullptr;
    // The inverse accepts exactly the codes the forward map hands out, so this holds for any
    // input; checking it keeps a non-canonical spelling from ever resolving, should the code
    // format change.
    if (codes_.code_for(*decoded) != code) return nullptr;
    index = *decoded;
    return slot;
}

std::optional<UrlRecord> UrlStore::lookup(std::string_view code) const {
    LogIndex index;
    const Slot* slot = slot_of_code(code, index);
    if (slot == nullptr) return std::nullopt;
    // `code` is the record's code: slot_of_code() checked it is the canonical one.
    return UrlRecord{std::string(code), std::string(url_of(*slot)), index, slot->created_at_ms};
}

std::optional<std::string_view> UrlStore::url_for(std::string_view code) const {
    LogIndex index;
    const Slot* slot = slot_of_code(code, index);
    if (slot == nullptr) return std::nullopt;
    return url_of(*slot);
}

const UrlRecord* UrlStore::find(std::string_view code) const {
    std::optional<UrlRecord> record = lookup(code);
    if (!record) return nullptr;
    found_ = std::move(*record);
    return &found_;
}

const UrlStore::Slot* UrlStore::search_slot(LogIndex index) const {
    const std::uint64_t number = index.value / slots_per_chunk;
    const auto chunk = std::lower_bound(
        chunks_.begin(), chunks_.end(), number,
        [](const Chunk& candidate, std::uint64_t wanted) { return candidate.number < wanted; });
    if (chunk == chunks_.end() || chunk->number != number) return nullptr;
    return &chunk->slots[index.value % slots_per_chunk];
}

bool UrlStore::same_urls_through(const UrlStore& other, LogIndex through) const {
    for (std::uint64_t i = 1; i <= through.value; ++i) {
        const Slot* mine = slot_at(LogIndex(i));
        const Slot* theirs = other.slot_at(LogIndex(i));
        const bool held = mine != nullptr && mine->block != absent_block;
        if (held != (theirs != nullptr && theirs->block != absent_block)) return false;
        if (!held) continue;
        // Written out: with string_view's operator== here, GCC stopped inlining
        // string_view::compare into first_acknowledged_missing, which took 1.4M instructions
        // more for speed-5 seed 1.
        const std::string_view url = url_of(*mine);
        const std::string_view their_url = other.url_of(*theirs);
        if (url.size() != their_url.size() ||
            std::memcmp(url.data(), their_url.data(), url.size()) != 0) {
            return false;
        }
    }
    return true;
}

void UrlStore::report_bad_slot(const Slot& slot) const {
    ASSERT_NE(slot.block, absent_block);
    ASSERT_LT(slot.block, url_blocks_.size());
    url_blocks_[slot.block].view(slot.place >> url_length_bits,
                                 slot.place & ((std::uint32_t{1} << url_length_bits) - 1));
    UNREACHABLE();  // url_of() found one condition broken
}

UrlRecord UrlStore::record(LogIndex index) const {
    const Slot* slot = slot_at(index);
    ASSERT(slot != nullptr && slot->block != absent_block);
    return UrlRecord{codes_.code_for(index), std::string(url_of(*slot)), index,
                     slot->created_at_ms};
}

void UrlStore::insert_record(LogIndex index, std::string_view url, std::int64_t created_at_ms) {
    ASSERT_GE(index.value, std::uint64_t{1});
    ASSERT_LE(index, applied_index_);
    // Records arrive in index order (applies, and snapshots decoded in order), so appending
    // keeps chunks_ sorted and every slot is written once.
    ASSERT_GT(index, last_record_index_);
    ASSERT_LE(url.size(), url_bytes_max);
    const std::uint64_t number = index.value / slots_per_chunk;
    if (chunks_.empty() || chunks_.back().number != number) {
        ASSERT(chunks_.empty() || chunks_.back().number < number);
        chunks_.push_back(Chunk{number, std::vector<Slot>(slots_per_chunk)});
    }
    if (url_blocks_.empty() || url_blocks_.back().size() + url.size() >
                                   std::min(url_blocks_.back().capacity(), url_block_bytes)) {
        // A new block, twice the size of the one before up to url_block_bytes, so that a small
        // store stays small; a block is never grown, because growing copied every URL in it
        // (and a restarted replica rebuilds its store from its whole log).
        const std::size_t previous = url_blocks_.empty() ? 0 : url_blocks_.back().capacity();
        url_blocks_.emplace_back();
        url_blocks_.back().reserve(std::max(
            url.size(), std::clamp(previous * 2, std::size_t{4096}, url_block_bytes)));
    }
    ByteRun& block = url_blocks_.back();
    const std::size_t offset = block.size();
    block.append(url);
    ASSERT_LE(block.size(), url_block_bytes);

    Slot& slot = chunks_.back().slots[index.value % slots_per_chunk];
    ASSERT_EQ(slot.block, absent_block);
    slot.created_at_ms = created_at_ms;
    slot.block = static_cast<std::uint32_t>(url_blocks_.size() - 1);
    slot.place = static_cast<std::uint32_t>((offset << url_length_bits) | url.size());
    record_count_++;
    last_record_index_ = index;
}

const UrlStore::KeyEntry* UrlStore::find_key(std::string_view key, std::size_t hash) const {
    if (key_slots_.empty()) return nullptr;
    for (std::size_t at = hash & key_slot_mask();; at = (at + 1) & key_slot_mask()) {
        const KeySlot& slot = key_slots_[at];
        if (slot.number == no_key) return nullptr;
        if (slot.hash != hash) continue;
        const KeyEntry& entry = key_entry(slot.number);
        if (key_of(entry) == key) return &entry;
    }
}

void UrlStore::place_key(std::size_t hash, std::uint64_t number) {
    std::size_t at = hash & key_slot_mask();
    while (key_slots_[at].number != no_key) at = (at + 1) & key_slot_mask();
    key_slots_[at] = KeySlot{hash, number};
}

void UrlStore::erase_oldest_key_slot(std::size_t hash) {
    std::size_t hole = hash & key_slot_mask();
    while (key_slots_[hole].number != keys_dropped_) {
        ASSERT_NE(key_slots_[hole].number, no_key);  // the oldest key is in the table
        hole = (hole + 1) & key_slot_mask();
    }
    // Backward-shift deletion: a later slot of the same run moves into the hole unless its
    // home lies cyclically after the hole, so that every key stays reachable from its home
    // without tombstones.
    for (std::size_t at = (hole + 1) & key_slot_mask(); key_slots_[at].number != no_key;
         at = (at + 1) & key_slot_mask()) {
        const std::size_t home = key_slots_[at].hash & key_slot_mask();
        if (((at - home) & key_slot_mask()) >= ((at - hole) & key_slot_mask())) {
            key_slots_[hole] = key_slots_[at];
            hole = at;
        }
    }
    key_slots_[hole] = KeySlot{};
}

void UrlStore::reserve_key_slots(std::size_t count) {
    if (count * 2 <= key_slots_.size()) return;
    // At most half full; a rebuild places every key again, from its stored hash.
    std::size_t slots = std::max<std::size_t>(64, key_slots_.size() * 2);
    while (count * 2 > slots) slots *= 2;
    std::vector<KeySlot> old = std::move(key_slots_);
    key_slots_.assign(slots, KeySlot{});
    for (const KeySlot& slot : old) {
        if (slot.number != no_key) place_key(slot.hash, slot.number);
    }
}

void UrlStore::reserve_keys(std::size_t count) {
    count = std::min(count, keys_reserved_max);
    reserve_key_slots(count);
    keys_.reserve(count);
}

void UrlStore::insert_key(LogIndex index, std::string_view key, std::size_t hash) {
    ASSERT(!key.empty());
    ASSERT_LE(key.size(), idempotency_key_bytes_max);
    // Both callers know the record exists (apply has just inserted it; a snapshot's keys are
    // checked against its records), so only the cheap part of that is checked here.
    ASSERT_LE(index, last_record_index_);
    const std::size_t count = key_count();
    ASSERT(count == 0 || keys_.back().index < index);
    if ((count + 1) * 2 > key_slots_.size()) reserve_key_slots(count + 1);
    const std::uint64_t start = key_bytes_dropped_ + key_bytes_.size();
    key_bytes_.append(key);
    place_key(hash, keys_dropped_ + count);
    keys_.push_back(KeyEntry{index, start, static_cast<std::uint32_t>(key.size())});
    // One insertion per call, so one eviction restores the bound.
    if (count + 1 > idempotency_keys_max) {
        const KeyEntry& oldest = key_entry(keys_dropped_);
        ASSERT_LT(oldest.index, index);
        ASSERT_EQ(oldest.start, key_bytes_evicted_);
        erase_oldest_key_slot(key_hash(key_of(oldest)));
        key_bytes_evicted_ += oldest.length;
        keys_dropped_++;
        const std::uint64_t evicted = keys_dropped_ - keys_erased_;
        if (evicted >= keys_.size() / 2) {
            keys_.erase(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(evicted));
            keys_erased_ = keys_dropped_;
        }
        const std::uint64_t garbage = key_bytes_evicted_ - key_bytes_dropped_;
        if (garbage >= key_bytes_.size() / 2) {
            key_bytes_.erase_front(garbage);
            key_bytes_dropped_ = key_bytes_evicted_;
        }
    }
    ASSERT_LE(key_count(), idempotency_keys_max);
}

template <typename Flush>
void UrlStore::write_snapshot(Flush&& flush) const {
    ByteWriter writer;
    writer.u8(snapshot_format_version);
    writer.u64(codes_.key());
    writer.u64(applied_index_.value);
    // Index order only: the snapshot must be byte-identical on every replica.
    writer.u64(record_count_);
    for_each_stored([&](LogIndex index, std::string_view url, std::int64_t created_at_ms) {
        writer.u64(index.value);
        writer.string(url);
        writer.i64(created_at_ms);
        if (writer.buffer().size() >= snapshot_piece_bytes) {
            flush(writer.take());
            writer = ByteWriter();
        }
    });
    writer.u64(key_count());
    for (std::uint64_t number = keys_dropped_; number < keys_erased_ + keys_.size(); number++) {
        const KeyEntry& entry = key_entry(number);
        writer.u64(entry.index.value);
        writer.string(key_of(entry));
    }
    flush(writer.take());
}

Bytes UrlStore::encode_snapshot() const {
    Bytes snapshot;
    write_snapshot([&snapshot](Bytes piece) {
        if (snapshot.empty()) {
            snapshot = std::move(piece);
        } else {
            snapshot.insert(snapshot.end(), piece.begin(), piece.end());
        }
    });
    return snapshot;
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
        store.insert_record(record.index, record.url, record.created_at_ms);
    }
    for (auto& entry : keys.value()) {
        // A key is remembered at the index of the create that first used it, so it must name a
        // record, and a key is remembered once.
        if (!store.has_record(entry.index)) {
            return malformed("idempotency key without a record");
        }
        const std::size_t hash = key_hash(entry.key);
        if (store.find_key(entry.key, hash) != nullptr) {
            return malformed("duplicate idempotency key");
        }
        store.insert_key(entry.index, entry.key, hash);
    }
    return store;
}

std::uint64_t UrlStore::digest() const {
    // FNV-1a 64: not collision resistant, but replicas are not adversaries; it only has to make
    // an accidental divergence visible. Hashed piece by piece, which gives the same value as
    // hashing encode_snapshot() without holding the whole encoding in memory.
    std::uint64_t hash = fnv1a64_offset;
    write_snapshot([&hash](const Bytes& piece) { hash = fnv1a64(ByteView(piece), hash); });
    return hash;
}

}  // namespace raftlink::fsm
