// SPDX-License-Identifier: MIT
// ByteRun: bytes packed one after another in one buffer, appended without being initialised
// first. The URL store keeps its URLs and idempotency keys this way and appends one of each
// per apply (a restarted replica its whole log again): std::string::append cost 56
// instructions per call, a copy into room already there about 20.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/assert.h"

namespace raftlink::fsm {

class ByteRun {
public:
    ByteRun() = default;
    ByteRun(ByteRun&&) noexcept = default;
    ByteRun& operator=(ByteRun&&) noexcept = default;

    const char* data() const { return bytes_.get(); }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    std::string_view view(std::size_t offset, std::size_t length) const {
        ASSERT_LE(offset + length, size_);
        return std::string_view(bytes_.get() + offset, length);
    }

    /// Makes room for `capacity` bytes in all, moving the bytes there are once.
    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) return;
        std::unique_ptr<char[]> bytes = std::make_unique_for_overwrite<char[]>(capacity);
        if (size_ > 0) std::memcpy(bytes.get(), bytes_.get(), size_);
        bytes_ = std::move(bytes);
        capacity_ = capacity;
    }
    /// Appends `bytes`, growing the buffer geometrically when it is full.
    void append(std::string_view bytes) {
        if (bytes.empty()) return;
        if (bytes.size() > capacity_ - size_) {
            reserve(std::max(capacity_ * 2, size_ + bytes.size()));
        }
        std::memcpy(bytes_.get() + size_, bytes.data(), bytes.size());
        size_ += bytes.size();
    }
    /// Drops the first `count` bytes, moving the rest to the front.
    void erase_front(std::size_t count) {
        ASSERT_LE(count, size_);
        if (count == 0) return;
        std::memmove(bytes_.get(), bytes_.get() + count, size_ - count);
        size_ -= count;
    }

private:
    std::unique_ptr<char[]> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace raftlink::fsm
