// SPDX-License-Identifier: MIT
#include "io/sim/sim_disk.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/latency.h"

namespace raftlink::sim {
namespace {

// The payload of the entry at `index` of `packed`. Precondition: 1 <= index <= its count.
ByteView payload_of(const raft::PackedEntries& packed, LogIndex index) {
    const std::uint64_t start = index.value == 1 ? 0 : packed.ends[index.value - 2];
    return ByteView(packed.payloads).subspan(start, packed.ends[index.value - 1] - start);
}

// The term run of `packed` that holds `index`. Precondition: 1 <= index <= its count.
auto run_of(const raft::PackedEntries& packed, LogIndex index) {
    return std::prev(std::upper_bound(
        packed.term_starts.begin(), packed.term_starts.end(), index,
        [](LogIndex wanted, const std::pair<LogIndex, Term>& run) { return wanted < run.first; }));
}

// Keeps the first `count` entries of `packed`.
void truncate_to(raft::PackedEntries& packed, std::size_t count) {
    ASSERT_LE(count, packed.ends.size());
    packed.ends.resize(count);
    packed.payloads.resize(count == 0 ? 0 : packed.ends.back());
    while (!packed.term_starts.empty() && packed.term_starts.back().first.value > count) {
        packed.term_starts.pop_back();
    }
}

// Appends `entry` to `packed`. Precondition: it is the entry after the last.
void append_to(raft::PackedEntries& packed, const raft::Entry& entry) {
    ASSERT_EQ(entry.index.value, packed.ends.size() + 1);
    if (packed.term_starts.empty() || packed.term_starts.back().second != entry.term) {
        packed.term_starts.emplace_back(entry.index, entry.term);
    }
    packed.payloads.insert(packed.payloads.end(), entry.data.begin(), entry.data.end());
    packed.ends.push_back(packed.payloads.size());
}

}  // namespace

SimDisk::SimDisk(EventLoop& loop, LatencyModel fsync_latency, Prng prng,
                 raft::SpareBuffers* spares)
    : loop_(loop), fsync_latency_(fsync_latency), prng_(prng), spares_(spares) {
    // The image and the record of what was acknowledged grow with every write, to a few
    // hundred KiB per node in a minute of `speed-5`; growing from empty, their reallocations
    // copied them again and again (0.9% and 0.35% of speed-5's instructions). So did the
    // records (about 7,000 per node; speed-5 seed 1: 268.6M instructions growing from
    // empty, 268.1M reserved).
    image_.reserve(initial_bytes);
    acknowledged_entries_.payloads.reserve(initial_bytes);
    records_.reserve(initial_records);
}

raft::PersistentState SimDisk::durable() const {
    raft::PersistentState state{acknowledged_hard_state_, {}};
    const LogIndex last = durable_last_index();
    state.entries.reserve(last.value);
    for (LogIndex index(1); index <= last; index = index + 1) {
        const ByteView payload = payload_of(acknowledged_entries_, index);
        state.entries.push_back(
            raft::Entry{durable_term(index), index, Bytes(payload.begin(), payload.end())});
    }
    return state;
}

Term SimDisk::durable_term(LogIndex index) const {
    ASSERT_GE(index, LogIndex(1));
    ASSERT_LE(index, durable_last_index());
    // Most calls (the durability checks of acknowledgements) ask about the last
    // term's entries, where a search of the runs cost three times as much.
    const std::pair<LogIndex, Term>& last_run = acknowledged_entries_.term_starts.back();
    if (index >= last_run.first) return last_run.second;
    return run_of(acknowledged_entries_, index)->second;
}

raft::PersistentState SimDisk::load() {
    ASSERT_EQ(pending_count(), 0U);  // a boot follows a crash or nothing at all
    // After verify(), nothing is left to read: the resumed parse returns at once.
    Result<raft::RecoveredLog> recovered = raft::recover_log(durable_image(), std::move(parsed_));
    ASSERT(recovered.ok());
    parsed_ = std::move(recovered.value());
    const raft::RecoveredLog& log = parsed_;
    const ByteView image = durable_image();
    // Packed, so that the node's log takes the payloads over without a buffer per entry.
    raft::PersistentState state{log.hard_state, {}, raft::pack_entries(log, image)};
    // The simulator's own oracle: recovery keeps exactly the acknowledged batches, and every
    // byte of their entries (a mismatch would be a lost or corrupted acknowledged write).
    ASSERT_EQ(log.valid_bytes, acknowledged_bytes_);
    ASSERT_EQ(log.last_sequence, fsyncs_);
    ASSERT(log.hard_state == acknowledged_hard_state_);
    ASSERT_EQ(log.entries.size(), acknowledged_entries_.ends.size());
    // Entry by entry, in bulk: both are packed alike (a term run starts where the term
    // changes), so equal runs are equal terms, and equal ends and payloads are equal bytes
    // for every entry. An entry at a time, with a comparison of its own, the 22 loads of
    // speed-5 seed 1 (24,500 entries) cost 3.3M instructions; in bulk 1.9M.
    ASSERT(state.packed.term_starts == acknowledged_entries_.term_starts);
    ASSERT(state.packed.ends == acknowledged_entries_.ends);
    ASSERT(state.packed.payloads == acknowledged_entries_.payloads);
    // As the real WAL does at start-up: cut the torn tail so that appends follow valid data.
    image_.resize(log.valid_bytes);
    torn_bytes_ = 0;
    return state;
}

void SimDisk::write(WriteBatch batch, std::function<void()> on_durable) {
    write_then(std::move(batch), std::move(on_durable));
}

SimDisk::PendingWrite& SimDisk::schedule_write(WriteBatch&& batch) {
    ASSERT_EQ(torn_bytes_, 0U);
    const std::uint64_t sequence = fsyncs_ + pending_count() + 1;
    // The batch goes after the acknowledged bytes and the earlier pending writes (no torn
    // tail is pending, and a crash loses this write together with every later one), straight
    // into the image: completing it then only moves acknowledged_bytes_ past it.
    const std::size_t bytes_before = image_.size();
    const std::size_t records_before = records_.size();
    raft::encode_batch_into(sequence, batch.hard_state, batch.entries, image_, records_,
                            bytes_before);
    pending_.emplace_back(sequence, image_.size() - bytes_before,
                          records_.size() - records_before, std::move(batch), Action());

    const Nanos completion =
        std::max(last_completion_, loop_.now() + sample_latency(fsync_latency_, prng_));
    last_completion_ = completion;
    const std::uint64_t epoch = epoch_;
    loop_.at(completion, [this, epoch, sequence]() {
        if (epoch != epoch_) return;  // lost in a crash
        write_done(sequence);
    });
    return pending_.back();
}

void SimDisk::write_done(std::uint64_t sequence) {
    // Completions are scheduled at non-decreasing times and ties run in insertion order, so
    // the oldest pending write is always the one completing.
    ASSERT_GT(pending_count(), 0U);
    ASSERT_EQ(pending_[pending_head_].sequence, sequence);
    ASSERT_EQ(sequence, fsyncs_ + 1);
    ASSERT_EQ(torn_bytes_, 0U);
    PendingWrite& write = pending_[pending_head_];
    acknowledged_records_ += write.record_count;
    ASSERT_LE(acknowledged_records_, records_.size());
    // Its bytes follow the acknowledged ones already (see schedule_write).
    acknowledged_bytes_ += write.bytes;
    ASSERT_LE(acknowledged_bytes_, image_.size());
    apply_to_acknowledged(std::move(write.batch));
    ++fsyncs_;
    // Only the callback leaves the queue, which it may grow (a write of its own).
    Action on_durable = std::move(write.on_durable);
    ++pending_head_;
    // Most completions empty the queue; a queue that never empties is cut every 64 writes,
    // which moves only the few writes still pending.
    if (pending_head_ == pending_.size() || pending_head_ >= 64) {
        pending_.erase(pending_.begin(),
                       pending_.begin() + static_cast<std::ptrdiff_t>(pending_head_));
        pending_head_ = 0;
    }
    on_durable.run_once();
}

void SimDisk::apply_to_acknowledged(WriteBatch&& batch) {
    if (batch.hard_state) acknowledged_hard_state_ = *batch.hard_state;
    if (batch.entries.empty()) return;
    const LogIndex first = batch.entries.front().index;
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(first.value, acknowledged_entries_.ends.size() + 1);
    truncate_to(acknowledged_entries_, first.value - 1);
    for (const raft::Entry& entry : batch.entries) append_to(acknowledged_entries_, entry);
    if (spares_ != nullptr) spares_->give(std::move(batch.entries));
}

void SimDisk::crash(Prng& prng, double torn_write_ratio) {
    ASSERT_GE(torn_write_ratio, 0.0);
    ASSERT_LE(torn_write_ratio, 1.0);
    if (pending_count() > 0 && prng.chance(torn_write_ratio)) {
        ASSERT_EQ(torn_bytes_, 0U);
        const std::size_t bytes = pending_[pending_head_].bytes;
        ASSERT_GE(bytes, raft::batch_header_bytes);
        // A strict, non-empty prefix: at least one byte lands, the write never completes. The
        // oldest pending write's bytes follow the acknowledged ones: its prefix stays.
        torn_bytes_ = 1 + prng.below(bytes - 1);
    }
    crash();
}

void SimDisk::crash() {
    pending_.clear();
    pending_head_ = 0;
    // The lost writes' bytes, but for a torn prefix, and their records.
    image_.resize(acknowledged_bytes_ + torn_bytes_);
    records_.resize(acknowledged_records_);
    ++epoch_;
    last_completion_ = loop_.now();
}

std::optional<std::string> SimDisk::corrupt(Prng& prng) {
    if (acknowledged_records_ == 0) return std::nullopt;
    const StoredRecord& record = records_[prng.below(acknowledged_records_)];
    const std::uint64_t bit_in_record = prng.below(record.bytes * 8);
    const std::size_t byte_in_record = bit_in_record / 8;
    const auto bit = static_cast<unsigned>(bit_in_record % 8);
    const std::size_t offset = record.offset + byte_in_record;
    // Only acknowledged bytes are hit; the torn tail is not a record (issue 3's fault model).
    ASSERT_LT(offset, acknowledged_bytes_);
    image_[offset] = static_cast<std::uint8_t>(image_[offset] ^ (1U << bit));
    // The next recovery must read the flipped byte: it was part of the parsed prefix.
    if (offset < parsed_.valid_bytes) parsed_ = raft::RecoveredLog{};
    return concat("flipped bit ", bit, " of byte ", byte_in_record, " in ",
                  raft::record_name(record),
                  " (image byte ", offset, ")");
}

Result<raft::PersistentState> SimDisk::recover() const {
    Result<raft::RecoveredLog> recovered = raft::recover_log(durable_image());
    if (!recovered) return recovered.error();
    return raft::copy_state(recovered.value(), durable_image());
}

std::optional<Error> SimDisk::verify() const {
    Result<raft::RecoveredLog> recovered = raft::recover_log(durable_image(), std::move(parsed_));
    if (!recovered) {
        parsed_ = raft::RecoveredLog{};
        return recovered.error();
    }
    parsed_ = std::move(recovered.value());
    return std::nullopt;
}

}  // namespace raftlink::sim
