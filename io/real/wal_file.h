// SPDX-License-Identifier: MIT
// Thin, checked wrappers over the POSIX calls the write-ahead log needs. Each returns an Error
// naming the call, the path and strerror(errno); the caller decides between refusing to start
// (open) and fail-stop (the storage thread). Nothing here retries or hides a failure: after a
// failed fsync the kernel may have dropped the dirty pages, so retrying could report data as
// durable that never reached the disk (the "fsyncgate" lesson).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "core/result.h"
#include "core/types.h"

namespace raftlink::real::wal {

/// An owned file descriptor, closed on destruction (a close error is ignored there: the data
/// that mattered was fsynced before).
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release();

private:
    int fd_ = -1;
};

/// The whole file.
Result<Bytes> read_file(const std::filesystem::path& path);
/// Opens `path` for appending; with `create`, creates it and fails if it exists.
Result<FileDescriptor> open_append(const std::filesystem::path& path, bool create);
/// Writes all of `bytes` (looping over short writes).
std::optional<Error> write_all(int fd, ByteView bytes, const std::filesystem::path& path);
/// fdatasync: the data and the size, which is all a reader of an appended file needs.
std::optional<Error> sync_data(int fd, const std::filesystem::path& path);
/// Cuts `path` to `bytes` and fsyncs it.
std::optional<Error> truncate_and_sync(const std::filesystem::path& path, std::uint64_t bytes);
/// fsyncs a directory, making the creation, removal or renaming of its entries durable.
std::optional<Error> sync_directory(const std::filesystem::path& path);
/// Takes an exclusive flock on `path` (created if missing), so that two processes never
/// share one data directory. The lock lasts as long as the returned descriptor.
Result<FileDescriptor> lock_file(const std::filesystem::path& path);

}  // namespace raftlink::real::wal
