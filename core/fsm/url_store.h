// SPDX-License-Identifier: MIT
// The URL store: the replicated state machine of the URL shortener.
//
// A pure function of the applied log: every replica that applies the same entries holds the
// same mappings and produces a byte-identical snapshot. It never reads a clock or a random
// source. Invariant: applied_index() only grows, by exactly one per apply call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/assert.h"
#include "core/fsm/byte_run.h"
#include "core/fsm/commands.h"
#include "core/fsm/short_code.h"
#include "core/result.h"
#include "core/hash.h"
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

/// What applying a create did, without building its record: the replica builds the record
/// only for a client that waits on it (UrlStore::record), not for every replica's every apply.
struct Applied {
    /// The record the create maps to: its own index, or the first create's when deduplicated.
    LogIndex record_index;
    /// True when the idempotency key was seen before and no new mapping was created.
    bool deduplicated = false;
};

/// Bounds the idempotency table; the entry with the lowest log index is evicted first.
constexpr std::size_t idempotency_keys_max = 1'000'000;
/// Bounds UrlStore::reserve_keys(), so that room reserved for keys a log may not hold costs
/// at most about 3.5 MiB.
constexpr std::size_t keys_reserved_max = 65'536;

class UrlStore {
public:
    /// `code_key` keys the short-code bijection; all replicas of a cluster use the same key.
    explicit UrlStore(std::uint64_t code_key);

    /// Applies a create committed at `index`. Precondition: index == applied_index() + 1.
    CreateResult apply(LogIndex index, const Command& command);
    /// apply() of a command decoded as views (decode_command_view): nothing is copied but
    /// what the store keeps.
    CreateResult apply(LogIndex index, const CommandView& command);
    /// apply() of a decoded create that builds no record (no code, no URL copy).
    Applied apply_create(LogIndex index, const CreateUrlView& create);
    /// Makes room for `count` idempotency keys (at most keys_reserved_max), so that applying
    /// that many keyed creates does not grow the key table step by step: a restarted replica
    /// replays its whole log, and rebuilding the table as it grew cost 0.4% of a simulation.
    void reserve_keys(std::size_t count);
    /// Applies Raft's no-op entry at `index` (it only advances applied_index()).
    void apply_noop(LogIndex index);

    /// The record at `index`, built with its code. Precondition: there is one (an index an
    /// Applied names).
    UrlRecord record(LogIndex index) const;
    std::optional<UrlRecord> lookup(std::string_view code) const;
    /// The URL lookup() would give, without building the record (a read answers with the URL
    /// only). The view is valid until the next apply on this store.
    std::optional<std::string_view> url_for(std::string_view code) const;
    /// lookup() for callers that want a pointer: the record, or null. The record is built on
    /// demand (the store keeps no UrlRecord objects), so the pointer is valid only until the
    /// next find, lookup or apply on this store.
    const UrlRecord* find(std::string_view code) const;
    /// The URL of the record created at `index`, or nullopt if there is none (a no-op, a
    /// deduplicated create, or an index not applied). find(short_code_for(index)) without
    /// building the code or the record: checkers ask this of every store for every create.
    /// The view is valid until the next apply on this store.
    std::optional<std::string_view> url_at(LogIndex index) const {
        // Inline: the checkers ask it tens of thousands of times per simulated minute.
        const Slot* slot = slot_at(index);
        if (slot == nullptr || slot->block == absent_block) return std::nullopt;
        return url_of(*slot);
    }
    /// Whether this store and `other` hold records at the same indexes in [1, `through`], with
    /// the same URLs (creation times aside). A store holds no record above its applied index.
    bool same_urls_through(const UrlStore& other, LogIndex through) const;
    /// Calls `visit(index, url)` for each record, in log index order, building nothing.
    template <typename Visit>
    void for_each_url(Visit&& visit) const {
        for_each_stored([&](LogIndex index, std::string_view url, std::int64_t) {
            visit(index, url);
        });
    }
    /// Calls `visit` with each record, in log index order (the record is built for the call).
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for_each_stored([&](LogIndex index, std::string_view url, std::int64_t created_at_ms) {
            visit(UrlRecord{codes_.code_for(index), std::string(url), index,
                            created_at_ms});
        });
    }
    LogIndex applied_index() const { return applied_index_; }
    std::size_t size() const { return record_count_; }
    std::uint64_t code_key() const { return codes_.key(); }

    /// A deterministic encoding of the whole state (records and idempotency table in sorted
    /// order), byte-identical on every replica at the same applied index.
    Bytes encode_snapshot() const;
    static Result<UrlStore> decode_snapshot(ByteView snapshot);
    /// A 64-bit hash of encode_snapshot(), to compare replicas cheaply.
    std::uint64_t digest() const;

private:
    /// Where a record's URL lives in url_blocks_, and when it was created. `block` is
    /// absent_block when there is no record at the slot's index (a no-op, a deduplicated
    /// create, or an index not applied yet).
    struct Slot {
        std::int64_t created_at_ms = 0;
        std::uint32_t block = absent_block;
        /// offset_in_block << url_length_bits | url length.
        std::uint32_t place = 0;
    };
    static constexpr std::uint32_t absent_block = 0xffff'ffff;
    static constexpr int url_length_bits = 14;
    static_assert(url_bytes_max < (std::size_t{1} << url_length_bits));
    /// URL bytes are packed into blocks of at most this size (a young store's are smaller);
    /// a URL never spans two blocks, so a block wastes less than url_bytes_max at its end.
    /// Offsets fit in the rest of `place`.
    static constexpr std::size_t url_block_bytes = std::size_t{1} << (32 - url_length_bits);
    static_assert(url_bytes_max <= url_block_bytes);
    /// Slots for the indexes [number * slots_per_chunk, (number + 1) * slots_per_chunk).
    /// Chunks are allocated only where a record lands, so a snapshot with a few records at
    /// huge indexes stays small; most chunks are full, since nearly every entry is a create.
    static constexpr std::uint64_t slots_per_chunk = 1024;
    struct Chunk {
        std::uint64_t number = 0;
        std::vector<Slot> slots;
    };

    /// The slot of `index`, or null if no chunk covers it.
    const Slot* slot_at(LogIndex index) const {
        const std::uint64_t number = index.value / slots_per_chunk;
        // Chunks are nearly always consecutive, so the guess is right without a search.
        if (!chunks_.empty() && number >= chunks_.front().number) {
            const std::uint64_t guess = number - chunks_.front().number;
            if (guess < chunks_.size() && chunks_[guess].number == number) {
                return &chunks_[guess].slots[index.value % slots_per_chunk];
            }
        }
        return search_slot(index);
    }
    /// The slot of the record whose code is `code`, with its index in `index`; null if there
    /// is none (`code` may be anything a client sent).
    const Slot* slot_of_code(std::string_view code, LogIndex& index) const;
    /// slot_at() when the chunks are not consecutive up to `index`'s.
    const Slot* search_slot(LogIndex index) const;
    std::string_view url_of(const Slot& slot) const {
        // The conditions of report_bad_slot() as one test: with its assertions inline, this
        // was a call of 39 instructions, made 70,000 times in speed-5 seed 1 by the checkers.
        const std::size_t offset = slot.place >> url_length_bits;
        const std::size_t length = slot.place & ((std::uint32_t{1} << url_length_bits) - 1);
        if (slot.block == absent_block || slot.block >= url_blocks_.size() ||
            offset + length > url_blocks_[slot.block].size()) [[unlikely]] {
            report_bad_slot(slot);
        }
        return std::string_view(url_blocks_[slot.block].data() + offset, length);
    }
    /// url_of() found `slot` naming no URL (absent, or outside url_blocks_): asserts each
    /// condition with its values. Never returns.
    [[noreturn, gnu::cold, gnu::noinline]] void report_bad_slot(const Slot& slot) const;
    /// Calls `visit(index, url, created_at_ms)` for every record, in log index order.
    template <typename Visit>
    void for_each_stored(Visit&& visit) const {
        for (const Chunk& chunk : chunks_) {
            for (std::uint64_t i = 0; i < slots_per_chunk; i++) {
                const Slot& slot = chunk.slots[i];
                if (slot.block == absent_block) continue;
                visit(LogIndex(chunk.number * slots_per_chunk + i), url_of(slot),
                      slot.created_at_ms);
            }
        }
    }
    /// Adds the record of the create applied at `index`; its code is derived from the index,
    /// never stored. Precondition: index is above every stored record's index.
    void insert_record(LogIndex index, std::string_view url, std::int64_t created_at_ms);
    bool has_record(LogIndex index) const {
        const Slot* slot = slot_at(index);
        return slot != nullptr && slot->block != absent_block;
    }
    /// Writes the snapshot encoding as a series of Bytes pieces passed to `flush`.
    template <typename Flush>
    void write_snapshot(Flush&& flush) const;
    /// A remembered idempotency key: its bytes are key_bytes_[start - key_bytes_dropped_, +length).
    struct KeyEntry {
        LogIndex index;
        std::uint64_t start = 0;
        std::uint32_t length = 0;
    };
    /// Every keyed create is hashed at every apply (a restarted replica hashes its whole log
    /// again); the hash only places keys in key_slots_, which nothing iterates.
    static std::size_t key_hash(std::string_view key) { return text_hash(key); }
    /// The entry of `key`, whose key_hash() is `hash`, or null if it is not remembered.
    const KeyEntry* find_key(std::string_view key, std::size_t hash) const;
    std::string_view key_of(const KeyEntry& entry) const {
        ASSERT_GE(entry.start, key_bytes_dropped_);
        return key_bytes_.view(entry.start - key_bytes_dropped_, entry.length);
    }
    /// Remembers that the create at `index` first used `key` (whose key_hash() is `hash`),
    /// evicting the key with the lowest index when the table is over idempotency_keys_max.
    /// Precondition: `key` is not known (the caller has just looked it up).
    void insert_key(LogIndex index, std::string_view key, std::size_t hash);

    ShortCodes codes_;  // the short-code bijection under the cluster's key
    LogIndex applied_index_{0};
    // The records, by log index: chunks in increasing `number` order. Creates are applied in
    // index order, so records are only ever appended and iteration is in index order (the
    // snapshot is deterministic). A lookup inverts the short code to an index instead of
    // keeping a code -> index table.
    std::vector<Chunk> chunks_;
    std::vector<ByteRun> url_blocks_;
    std::size_t record_count_ = 0;
    LogIndex last_record_index_{0};
    // What find() returned last (find hands out a pointer, and records are built on demand).
    mutable UrlRecord found_;
    // The idempotency keys, in the order they were remembered (increasing index): the oldest
    // is evicted first, so a FIFO suffices, and a snapshot lists them in index order. Their
    // bytes are packed one after another in key_bytes_: a typical key is just longer than a
    // short string, and a string per key cost an allocation and 32 bytes more per key (a
    // replica rebuilds this table at every restart; a node keeps up to a million keys).
    // Key number n is keys_[n - keys_erased_]. Evicted entries stay at the front of keys_
    // until they are half of it, and are then erased at once (as key_bytes_ below), so that
    // the FIFO is a flat vector: a deque's push_back and indexing cost 0.7% of a run.
    std::vector<KeyEntry> keys_;
    std::uint64_t keys_dropped_ = 0;  // keys evicted: the number of the oldest one remembered
    std::uint64_t keys_erased_ = 0;   // evicted entries erased from the front of keys_
    /// The keys remembered (not evicted).
    std::size_t key_count() const { return keys_.size() - (keys_dropped_ - keys_erased_); }
    const KeyEntry& key_entry(std::uint64_t number) const {
        ASSERT_GE(number, keys_dropped_);
        return keys_[number - keys_erased_];
    }
    // Evicted keys' bytes stay at the front of key_bytes_ until they are half of it, and are
    // then erased at once: each byte is moved O(1) times, and every key stays contiguous.
    ByteRun key_bytes_;
    std::uint64_t key_bytes_dropped_ = 0;  // bytes erased from the front of key_bytes_
    std::uint64_t key_bytes_evicted_ = 0;  // bytes of evicted keys (erased or not)
    // The keys' index: key_hash(key) -> the key's number (its position in keys_ plus
    // keys_erased_). Open addressing with linear probing over a power-of-two table at most
    // half full, because std::unordered_map allocates (and later frees) a node per key, which
    // was most of an apply's cost. Several keys may share a hash, so a find compares bytes.
    // The hash is computed once per apply, for both the find and the insert.
    struct KeySlot {
        std::size_t hash = 0;
        std::uint64_t number = no_key;
    };
    static constexpr std::uint64_t no_key = ~std::uint64_t{0};
    /// Puts (hash, number) in the first free slot from the hash's home. Precondition: one is free.
    void place_key(std::size_t hash, std::uint64_t number);
    /// Makes the table at least half empty with `count` keys in it.
    void reserve_key_slots(std::size_t count);
    /// Empties the slot of the oldest key (whose hash is `hash`) and closes the gap.
    void erase_oldest_key_slot(std::size_t hash);
    std::size_t key_slot_mask() const { return key_slots_.size() - 1; }
    std::vector<KeySlot> key_slots_;  // empty, or a power of two of them
};

}  // namespace raftlink::fsm
