// SPDX-License-Identifier: MIT
// FileStorage: the node's durable state under --data-dir, an adapter of core's Storage.
//
// Layout (data-dir):
//   LOCK                   flock'ed while open: one data directory serves one process
//   wal/00000001.log ...   segmented write-ahead log (io/real/wal_format.h): a segment header,
//                          then log_record.h batches, each a checksummed header plus hard
//                          state and entry records with a CRC32C each. A segment is closed
//                          once the next batch would take it past segment_bytes_max.
// Hard state lives in the WAL, in the same batch as the entries of the same Ready, so one
// fdatasync makes both durable and a crash can never keep one without the other (a separate
// hardstate file would cost a second fsync, a rename and a directory fsync per vote). Every
// segment opens with the latest hard state, so whole old segments can later be deleted.
// Truncation (Raft §5.3) is implicit: an entry with index i replaces the log from i on, and
// recovery replays the batches in order, so it rebuilds exactly the log the writes described.
//
// Writes go to one storage thread that takes every write queued meanwhile into one write()
// and one fdatasync (group commit) and then posts their completions, in issue order, to the
// io_context given to open(). A failed write or fsync is fatal (spdlog::critical, abort):
// after a failed fsync the page cache may have dropped the data, so no retry is honest.
// Start-up recovery truncates a torn tail of the newest segment (ftruncate, fsync, warn) and
// refuses to start on a bad record anywhere else, naming the file and byte offset; how a torn
// tail is told from a bit flip is written in wal_format.h.
//
// Extension point, snapshots (not in the core yet): a snapshot would be written as
// snapshot/<index>.snap.tmp, fsynced, renamed and the directory fsynced; then every segment
// whose batches all lie at or below the snapshot's index can be deleted, and recovery starts
// from the snapshot (WalState gains a first index and first sequence).
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/result.h"
#include "io/real/metrics.h"

namespace raftlink::real {

constexpr std::uint64_t segment_bytes_max = 64ull << 20;
/// Bounds the writes waiting for the storage thread; beyond it write() blocks the caller.
/// (The node hands out at most raft::Config::storage_writes_inflight_max writes before the
/// first is durable, fewer than this, so the replica's thread never waits here.)
constexpr std::size_t storage_queue_max = 4096;

/// Tuning that tests shrink; the defaults are the node's.
struct FileStorageOptions {
    /// A segment is closed before a batch would take it past this size (a single larger
    /// batch still goes whole into a segment of its own).
    std::uint64_t segment_bytes_max = real::segment_bytes_max;
    std::size_t queue_max = real::storage_queue_max;
    /// Tests only: runs on the storage thread each time it has found work, before it takes
    /// the queued writes as one group. A test blocks here to make grouping deterministic.
    std::function<void()> before_group;
};

class FileStorage final : public Storage {
public:
    /// Opens or creates the data directory and recovers its state. An Error names the file
    /// and byte offset of a corrupt record, or the I/O call that failed. `completions` must
    /// outlive the FileStorage (the storage thread posts to it until the destructor returns).
    static Result<std::unique_ptr<FileStorage>> open(const std::filesystem::path& data_dir,
                                                     boost::asio::io_context& completions,
                                                     Metrics& metrics,
                                                     FileStorageOptions options = {});
    ~FileStorage() override;  // stops the storage thread after draining queued writes

    /// The state recovered by open() (called once by the Replica).
    raft::PersistentState load() override;
    /// Queues `batch`; `on_durable` is posted to the io_context after its fsync, in issue
    /// order, and the io_context counts as having work until then. Blocks while
    /// storage_queue_max writes wait. A failed write or fsync logs the error and terminates
    /// the process (fail-stop). Precondition: the entries have consecutive indexes and the
    /// first is at most one past the log's last index after the earlier writes.
    void write(WriteBatch batch, std::function<void()> on_durable) override;

    /// Waits until every queued write is durable and its completion posted (shutdown).
    void flush();

    /// WAL fdatasyncs so far (one per group commit, plus one when a group fills a segment);
    /// for tests and benchmarks.
    std::uint64_t fsync_count() const;

    struct Impl;

private:
    explicit FileStorage(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace raftlink::real
