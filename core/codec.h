// SPDX-License-Identifier: MIT
// Little-endian binary encoding with length prefixes: log entry payloads, messages, snapshots.
//
// The writer cannot fail. The reader never trusts its input: every read checks the remaining
// length, and once a read fails the reader stays failed (`ok()` is false), so a decoder can
// read a whole structure and check `ok()` once at the end.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/types.h"

namespace raftlink {

class ByteWriter {
public:
    void u8(std::uint8_t value);
    void u32(std::uint32_t value) { store_le(value); }
    void u64(std::uint64_t value) { store_le(value); }
    void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
    /// A u32 length prefix followed by the bytes.
    void bytes(ByteView value);
    void string(std::string_view value);
    /// Reserves room for `total` bytes, for a writer that knows its encoding's size.
    void reserve(std::size_t total) { buffer_.reserve(total); }

    const Bytes& buffer() const { return buffer_; }
    Bytes take() { return std::move(buffer_); }

private:
    /// Appends `value` little-endian, on a host of either endianness.
    template <typename T>
    void store_le(T value) {
        std::uint8_t le[sizeof(T)];
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(le, &value, sizeof(T));
        } else {
            for (std::size_t i = 0; i < sizeof(T); ++i) {
                le[i] = static_cast<std::uint8_t>(value >> (8 * i));
            }
        }
        buffer_.insert(buffer_.end(), le, le + sizeof(T));
    }

    Bytes buffer_;
};

class ByteReader {
public:
    explicit ByteReader(ByteView input) : input_(input) {}

    std::uint8_t u8() {
        const std::uint8_t* data = nullptr;
        return take(1, &data) ? data[0] : 0;
    }
    std::uint32_t u32() {
        const std::uint8_t* data = nullptr;
        return take(4, &data) ? load_le<std::uint32_t>(data) : 0;
    }
    std::uint64_t u64() {
        const std::uint8_t* data = nullptr;
        return take(8, &data) ? load_le<std::uint64_t>(data) : 0;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    /// Reads a u32 length prefix and that many bytes; fails if longer than `length_max`.
    Bytes bytes(std::uint32_t length_max);
    std::string string(std::uint32_t length_max);
    /// string() as a view into the input, valid while the input is (no copy). Inline: every
    /// replica decodes two per entry it applies.
    std::string_view string_view(std::uint32_t length_max) {
        const std::uint32_t length = u32();
        if (length > length_max) ok_ = false;
        const std::uint8_t* data = nullptr;
        if (!ok_ || !take(length, &data)) return {};
        return std::string_view(reinterpret_cast<const char*>(data), length);
    }

    bool ok() const { return ok_; }
    bool at_end() const { return offset_ == input_.size(); }
    std::size_t remaining() const { return input_.size() - offset_; }

private:
    // Inline: decoders call the fixed-width reads for every field of every entry they apply.
    bool take(std::size_t count, const std::uint8_t** out) {
        if (!ok_ || remaining() < count) {
            ok_ = false;
            return false;
        }
        *out = input_.data() + offset_;
        offset_ += count;
        return true;
    }

    /// The little-endian unsigned integer at `data` (unaligned), on a host of either endianness.
    template <typename T>
    static T load_le(const std::uint8_t* data) {
        T value = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&value, data, sizeof(T));
        } else {
            for (std::size_t i = sizeof(T); i-- > 0;) {
                value = static_cast<T>((value << 8) | data[i]);
            }
        }
        return value;
    }

    ByteView input_;
    std::size_t offset_ = 0;
    bool ok_ = true;
};

}  // namespace raftlink
