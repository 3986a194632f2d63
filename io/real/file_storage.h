// SPDX-License-Identifier: MIT
// FileStorage: the node's durable state under --data-dir, an adapter of core's Storage.
//
// Layout (data-dir):
//   wal/00000001.log ...   segmented write-ahead log; each record = length, type, payload,
//                          CRC32C (core/crc32c.h; records as in core/raft/log_record.h);
//                          a segment is closed at segment_bytes_max and a new one begun
//   hardstate              current term and vote, replaced atomically (write temp, fsync,
//                          rename, fsync the directory)
// Writes go to a storage thread that batches every write queued meanwhile into one fsync
// (group commit) and posts each completion back to the replica's io_context, in order.
// Start-up recovery truncates a torn tail (an incomplete or bad last record of the last
// segment) and refuses to start on a bad record anywhere else, naming the file and offset:
// committed data is never silently dropped.
#pragma once

#include <boost/asio/io_context.hpp>

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
constexpr std::size_t storage_queue_max = 4096;

class FileStorage final : public Storage {
public:
    /// Opens or creates the data directory and recovers its state. An Error names the file
    /// and byte offset of a corrupt record, or the I/O call that failed.
    static Result<std::unique_ptr<FileStorage>> open(const std::filesystem::path& data_dir,
                                                     boost::asio::io_context& completions,
                                                     Metrics& metrics);
    ~FileStorage() override;  // stops the storage thread after draining queued writes

    /// The state recovered by open() (called once by the Replica).
    raft::PersistentState load() override;
    /// Queues `batch`; `on_durable` is posted to the io_context after its fsync. A failed
    /// write or fsync logs the error and terminates the process (fail-stop).
    void write(WriteBatch batch, std::function<void()> on_durable) override;

    /// Waits until every queued write is durable and its completion posted (shutdown).
    void flush();

    struct Impl;

private:
    explicit FileStorage(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace raftlink::real
