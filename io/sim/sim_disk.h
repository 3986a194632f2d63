// SPDX-License-Identifier: MIT
// A simulated disk for one node, with the fault model of issue 3: writes become durable only
// when their simulated fsync completes; a crash loses every write still waiting for it and may
// tear the oldest one (a prefix of its bytes reaches the image); bit flips hit stored records.
//
// The durable image is bytes, laid out as core/raft/log_record.h describes: one batch (a
// checksummed header announcing its size, then checksummed records) per completed write.
// Writes complete in issue order. Recovery drops only a torn tail, which is always part of a
// write whose callback never ran, and reports every flip in acknowledged bytes as corruption;
// the header comment of log_record.h explains why the two can never be confused.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/prng.h"
#include "core/raft/log_record.h"
#include "core/raft/packed_entries.h"
#include "core/raft/spare_buffers.h"
#include "core/result.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

class SimDisk final : public Storage {
public:
    /// A completed write's entries go to `spares` (if given) once stored: the node's next
    /// copies of entries reuse their buffers.
    SimDisk(EventLoop& loop, LatencyModel fsync_latency, Prng prng,
            raft::SpareBuffers* spares = nullptr);

    /// Recovers the image and truncates its torn tail, as the real WAL does at start-up, so
    /// that later writes append after the last complete batch. The entries come packed.
    /// Preconditions: no write is pending, and recover() succeeds (the cluster checks it first
    /// and refuses to boot the node otherwise).
    raft::PersistentState load() override;
    /// Encodes `batch` now; its bytes reach the image and `on_durable` runs when its simulated
    /// fsync completes, never before an earlier write's. Precondition: no torn tail is
    /// pending (after a tearing crash, load() runs before the next write).
    void write(WriteBatch batch, std::function<void()> on_durable) override;
    /// write() with any callable (held inline up to Action::inline_bytes), so that a caller
    /// that wraps the callback does not pay for a second std::function.
    template <typename F>
    void write_then(WriteBatch&& batch, F&& on_durable) {
        schedule_write(std::move(batch)).on_durable.assign(std::forward<F>(on_durable));
    }

    /// The process died: writes not yet fsynced are lost and their callbacks never run. With
    /// probability `torn_write_ratio` (0..1) the oldest of them is torn: a random prefix of its
    /// bytes, at least one byte and never all of them, reaches the image. Every draw comes from
    /// `prng`, and none is made when no write is pending.
    void crash(Prng& prng, double torn_write_ratio);
    /// crash() without tearing and without a draw.
    void crash();

    /// Flips one random bit of one random record of an acknowledged batch (never the torn tail)
    /// and says where, e.g. "flipped bit 3 of byte 17 in the record of entry 42 (term 2) in
    /// batch 9 (image byte 1234)"; nullopt if the image holds no acknowledged record. Every
    /// draw comes from `prng`.
    std::optional<std::string> corrupt(Prng& prng);

    /// Parses the image without changing it: the state of the acknowledged writes, or an Error
    /// (ErrorCode::Corrupt) naming the byte offset and record when any of them is damaged.
    Result<raft::PersistentState> recover() const;
    /// recover() without handing out the state: nullopt when the image recovers. A boot calls
    /// it and then load(), which uses this parse instead of repeating it. Both read only what
    /// changed since the last parse (see parsed_).
    std::optional<Error> verify() const;

    /// What the acknowledged writes stored: the reference that a successful recover() equals
    /// (load() asserts it), kept apart from the bytes so that checkers never see a flip. A copy,
    /// entry by entry (for tests); the two below read it without one.
    raft::PersistentState durable() const;
    /// The last index of the acknowledged entries (0 when there are none).
    LogIndex durable_last_index() const { return LogIndex(acknowledged_entries_.ends.size()); }
    /// The term of the acknowledged entry at `index`. Precondition: 1 <= index <=
    /// durable_last_index().
    Term durable_term(LogIndex index) const;
    /// How many writes completed their fsync: the number of batches in the image, as the
    /// image only ever loses a torn tail.
    std::uint64_t fsyncs() const { return fsyncs_; }
    /// A copy of the raw image, torn tail and flips included (for tests).
    Bytes image_bytes() const {
        const ByteView image = durable_image();
        return Bytes(image.begin(), image.end());
    }

private:
    struct PendingWrite {
        std::uint64_t sequence = 0;
        /// Its encoding's size, in pending_bytes_, and how many records it holds, in records_.
        std::size_t bytes = 0;
        std::size_t record_count = 0;
        WriteBatch batch;
        /// Runs when the fsync completes; destroyed unrun if a crash loses the write.
        Action on_durable;
    };

    /// A record of an acknowledged batch, for corrupt(); its offset is in image coordinates.
    using StoredRecord = raft::RecordExtent;

    /// Encodes `batch`, queues it and schedules its completion; the caller fills in the
    /// callback of the returned write before anything else runs.
    PendingWrite& schedule_write(WriteBatch&& batch);
    void write_done(std::uint64_t sequence);
    void apply_to_acknowledged(WriteBatch&& batch);
    /// What a crash now would leave on the disk: the acknowledged bytes and any torn tail.
    ByteView durable_image() const {
        return ByteView(image_.data(), acknowledged_bytes_ + torn_bytes_);
    }

    EventLoop& loop_;
    LatencyModel fsync_latency_;
    Prng prng_;
    /// The acknowledged bytes, then either the encodings of the pending writes, oldest first,
    /// or, after a crash that tore one, the torn tail (never both: a write first needs the
    /// torn tail cut by load()). A pending write is encoded where it will lie once durable,
    /// so that neither its completion nor its tearing copies bytes.
    /// Room the disk image and the acknowledged payloads start with, and records_.
    static constexpr std::size_t initial_bytes = std::size_t{1} << 20;
    static constexpr std::size_t initial_records = std::size_t{1} << 13;
    Bytes image_;
    std::size_t acknowledged_bytes_ = 0;
    std::size_t torn_bytes_ = 0;
    /// The records of the acknowledged batches (the first acknowledged_records_), then those of
    /// the pending writes, all at their image offsets: pending writes can only complete in
    /// order or be lost together, so their records are written once, where they stay.
    std::vector<StoredRecord> records_;
    std::size_t acknowledged_records_ = 0;
    /// Issued writes whose fsync has not completed, oldest first, are pending_[pending_head_,
    /// end); sequences are consecutive. A vector whose completed front is cut off in batches,
    /// rather than a deque: a deque allocated a block for every few writes and freed one as
    /// its front passed it (4,400 allocations in speed-5 seed 1).
    std::vector<PendingWrite> pending_;
    std::size_t pending_head_ = 0;
    std::size_t pending_count() const { return pending_.size() - pending_head_; }
    /// What the acknowledged writes stored (see durable()), packed as raft::Log keeps entries:
    /// a heap buffer per entry, for every entry of every node, was a tenth of the simulator's
    /// allocations, and the written entries' own buffers go back to spares_ instead.
    raft::HardState acknowledged_hard_state_;
    raft::PackedEntries acknowledged_entries_;
    raft::SpareBuffers* spares_;
    /// A successful parse of image_[0, parsed_.valid_bytes), bytes unchanged since: writes
    /// only append, a crash or load() cuts only what follows them, and corrupt() drops the
    /// parse when it flips one of them. Each recovery reads only the bytes after them (a disk
    /// is re-read at every restart and only grows in between).
    mutable raft::RecoveredLog parsed_;
    Nanos last_completion_ = 0;
    // Bumped by crash(); a completion scheduled before the crash sees a stale value and is void.
    std::uint64_t epoch_ = 0;
    std::uint64_t fsyncs_ = 0;
};

}  // namespace raftlink::sim
