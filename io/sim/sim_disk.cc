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

SimDisk::SimDisk(EventLoop& loop, LatencyModel fsync_latency, Prng prng)
    : loop_(loop), fsync_latency_(fsync_latency), prng_(prng) {}

raft::PersistentState SimDisk::load() {
    Result<raft::RecoveredLog> recovered = raft::RecoveredLog{};
    if (recovered_ && recovered_version_ == image_version_) {
        recovered = std::move(*recovered_);
    } else {
        recovered = raft::recover_log(image_);
    }
    recovered_.reset();
    ASSERT(recovered.ok());
    // The simulator's own oracle: recovery keeps exactly the acknowledged batches, and every
    // byte of their entries (a mismatch would be a lost or corrupted acknowledged write).
    ASSERT_EQ(recovered.value().valid_bytes, acknowledged_bytes_);
    ASSERT_EQ(recovered.value().last_sequence, fsyncs_);
    ASSERT(recovered.value().state.hard_state == acknowledged_.hard_state);
    ASSERT(recovered.value().state.entries == acknowledged_.entries);
    // As the real WAL does at start-up: cut the torn tail so that appends follow valid data.
    image_.resize(recovered.value().valid_bytes);
    ++image_version_;
    torn_bytes_ = 0;
    return std::move(recovered.value().state);
}

void SimDisk::write(WriteBatch batch, std::function<void()> on_durable) {
    write_then(std::move(batch), std::move(on_durable));
}

SimDisk::PendingWrite& SimDisk::schedule_write(WriteBatch&& batch) {
    ASSERT_EQ(torn_bytes_, 0U);
    const std::uint64_t sequence = fsyncs_ + pending_.size() + 1;
    // The batch will lie after the acknowledged bytes and the earlier pending writes (no torn
    // tail is pending, and a crash loses this write together with every later one).
    const std::size_t bytes_before = pending_bytes_.size();
    const std::size_t records_before = records_.size();
    const std::size_t image_offset = acknowledged_bytes_ + (bytes_before - pending_bytes_head_);
    raft::encode_batch_into(sequence, batch.hard_state, batch.entries, pending_bytes_, records_,
                            image_offset);
    pending_.push_back(PendingWrite{sequence, pending_bytes_.size() - bytes_before,
                                    records_.size() - records_before, std::move(batch),
                                    Action()});

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
    ASSERT(!pending_.empty());
    ASSERT_EQ(pending_.front().sequence, sequence);
    ASSERT_EQ(sequence, fsyncs_ + 1);
    ASSERT_EQ(image_.size(), acknowledged_bytes_);
    PendingWrite write = std::move(pending_.front());
    pending_.pop_front();

    acknowledged_records_ += write.record_count;
    ASSERT_LE(acknowledged_records_, records_.size());
    const auto first = pending_bytes_.begin() + static_cast<std::ptrdiff_t>(pending_bytes_head_);
    image_.insert(image_.end(), first, first + static_cast<std::ptrdiff_t>(write.bytes));
    pending_bytes_head_ += write.bytes;
    if (pending_bytes_head_ == pending_bytes_.size()) {
        pending_bytes_.clear();
        pending_bytes_head_ = 0;
    } else if (pending_bytes_head_ >= pending_bytes_.size() / 2) {
        // Under steady load the buffer may never empty: drop the consumed half.
        pending_bytes_.erase(pending_bytes_.begin(),
                             pending_bytes_.begin() +
                                 static_cast<std::ptrdiff_t>(pending_bytes_head_));
        pending_bytes_head_ = 0;
    }
    ++image_version_;
    acknowledged_bytes_ = image_.size();
    apply_to_acknowledged(std::move(write.batch));
    ++fsyncs_;
    write.on_durable();
}

void SimDisk::apply_to_acknowledged(WriteBatch&& batch) {
    if (batch.hard_state) acknowledged_.hard_state = *batch.hard_state;
    if (batch.entries.empty()) return;
    const LogIndex first = batch.entries.front().index;
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(first.value, acknowledged_.entries.size() + 1);
    acknowledged_.entries.resize(first.value - 1);
    acknowledged_.entries.insert(acknowledged_.entries.end(),
                                 std::make_move_iterator(batch.entries.begin()),
                                 std::make_move_iterator(batch.entries.end()));
}

void SimDisk::crash(Prng& prng, double torn_write_ratio) {
    ASSERT_GE(torn_write_ratio, 0.0);
    ASSERT_LE(torn_write_ratio, 1.0);
    if (!pending_.empty() && prng.chance(torn_write_ratio)) {
        ASSERT_EQ(torn_bytes_, 0U);
        const std::size_t bytes = pending_.front().bytes;
        ASSERT_GE(bytes, raft::batch_header_bytes);
        // A strict, non-empty prefix: at least one byte lands, the write never completes.
        torn_bytes_ = 1 + prng.below(bytes - 1);
        const auto begin =
            pending_bytes_.begin() + static_cast<std::ptrdiff_t>(pending_bytes_head_);
        image_.insert(image_.end(), begin, begin + static_cast<std::ptrdiff_t>(torn_bytes_));
        ++image_version_;
    }
    crash();
}

void SimDisk::crash() {
    pending_.clear();
    pending_bytes_.clear();
    pending_bytes_head_ = 0;
    records_.resize(acknowledged_records_);  // the records of the lost writes
    ++epoch_;
    last_completion_ = loop_.now();
    ASSERT_EQ(image_.size(), acknowledged_bytes_ + torn_bytes_);
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
    ++image_version_;
    return concat("flipped bit ", bit, " of byte ", byte_in_record, " in ",
                  raft::record_name(record),
                  " (image byte ", offset, ")");
}

Result<raft::PersistentState> SimDisk::recover() const {
    Result<raft::RecoveredLog> recovered = raft::recover_log(image_);
    if (!recovered) return recovered.error();
    return std::move(recovered.value().state);
}

std::optional<Error> SimDisk::verify() const {
    Result<raft::RecoveredLog> recovered = raft::recover_log(image_);
    if (!recovered) return recovered.error();
    recovered_ = std::move(recovered.value());
    recovered_version_ = image_version_;
    return std::nullopt;
}

}  // namespace raftlink::sim
