// SPDX-License-Identifier: MIT
#include "io/real/wal_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::real::wal {
namespace {

// NB: result.h has no code for I/O failures; Malformed is the nearest (see the issue note).
Error io_error(const char* call, const std::filesystem::path& path, int error_number) {
    return make_error(ErrorCode::Malformed, concat(call, "(", path.string(), ") failed: ",
                                                   std::strerror(error_number)));
}

Result<FileDescriptor> open_file(const std::filesystem::path& path, int flags) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return io_error("open", path, errno);
    return FileDescriptor(fd);
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

int FileDescriptor::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

Result<Bytes> read_file(const std::filesystem::path& path) {
    Result<FileDescriptor> file = open_file(path, O_RDONLY);
    if (!file) return file.error();
    const int fd = file.value().get();
    Bytes bytes;
    std::uint8_t buffer[64 * 1024];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return io_error("read", path, errno);
        if (got == 0) break;
        bytes.insert(bytes.end(), buffer, buffer + got);
    }
    return bytes;
}

Result<FileDescriptor> open_append(const std::filesystem::path& path, bool create) {
    return open_file(path, O_WRONLY | O_APPEND | (create ? O_CREAT | O_EXCL : 0));
}

std::optional<Error> write_all(int fd, ByteView bytes, const std::filesystem::path& path) {
    ASSERT_GE(fd, 0);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) return io_error("write", path, errno);
        ASSERT_GT(wrote, 0);  // a regular file never accepts zero bytes of a non-empty write
        done += static_cast<std::size_t>(wrote);
    }
    ASSERT_EQ(done, bytes.size());
    return std::nullopt;
}

std::optional<Error> sync_data(int fd, const std::filesystem::path& path) {
    ASSERT_GE(fd, 0);
    // NB: no retry on EINTR either: after any failure the pages' state is unknown.
    if (::fdatasync(fd) != 0) return io_error("fdatasync", path, errno);
    return std::nullopt;
}

std::optional<Error> truncate_and_sync(const std::filesystem::path& path, std::uint64_t bytes) {
    Result<FileDescriptor> file = open_file(path, O_WRONLY);
    if (!file) return file.error();
    if (::ftruncate(file.value().get(), static_cast<off_t>(bytes)) != 0) {
        return io_error("ftruncate", path, errno);
    }
    if (::fsync(file.value().get()) != 0) return io_error("fsync", path, errno);
    return std::nullopt;
}

std::optional<Error> sync_directory(const std::filesystem::path& path) {
    Result<FileDescriptor> directory = open_file(path, O_RDONLY | O_DIRECTORY);
    if (!directory) return directory.error();
    if (::fsync(directory.value().get()) != 0) return io_error("fsync", path, errno);
    return std::nullopt;
}

Result<FileDescriptor> lock_file(const std::filesystem::path& path) {
    Result<FileDescriptor> file = open_file(path, O_RDWR | O_CREAT);
    if (!file) return file.error();
    if (::flock(file.value().get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return make_error(ErrorCode::Malformed,
                              concat(path.string(), " is locked by another process: one data "
                                     "directory serves one node"));
        }
        return io_error("flock", path, errno);
    }
    return std::move(file.value());
}

}  // namespace raftlink::real::wal
