// SPDX-License-Identifier: MIT
#include "core/codec.h"

#include "core/assert.h"

namespace raftlink {

void ByteWriter::u8(std::uint8_t value) { buffer_.push_back(value); }

void ByteWriter::u32(std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
        buffer_.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

void ByteWriter::u64(std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) {
        buffer_.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

void ByteWriter::bytes(ByteView value) {
    ASSERT_LE(value.size(), std::size_t{UINT32_MAX});
    u32(static_cast<std::uint32_t>(value.size()));
    buffer_.insert(buffer_.end(), value.begin(), value.end());
}

void ByteWriter::string(std::string_view value) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(value.data());
    bytes(ByteView(data, value.size()));
}

bool ByteReader::take(std::size_t count, const std::uint8_t** out) {
    if (!ok_ || remaining() < count) {
        ok_ = false;
        return false;
    }
    *out = input_.data() + offset_;
    offset_ += count;
    return true;
}

std::uint8_t ByteReader::u8() {
    const std::uint8_t* data = nullptr;
    return take(1, &data) ? data[0] : 0;
}

std::uint32_t ByteReader::u32() {
    const std::uint8_t* data = nullptr;
    if (!take(4, &data)) return 0;
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = (value << 8) | data[i];
    return value;
}

std::uint64_t ByteReader::u64() {
    const std::uint8_t* data = nullptr;
    if (!take(8, &data)) return 0;
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | data[i];
    return value;
}

Bytes ByteReader::bytes(std::uint32_t length_max) {
    const std::uint32_t length = u32();
    if (length > length_max) ok_ = false;
    const std::uint8_t* data = nullptr;
    if (!ok_ || !take(length, &data)) return {};
    return Bytes(data, data + length);
}

std::string ByteReader::string(std::uint32_t length_max) {
    return std::string(string_view(length_max));
}

std::string_view ByteReader::string_view(std::uint32_t length_max) {
    const std::uint32_t length = u32();
    if (length > length_max) ok_ = false;
    const std::uint8_t* data = nullptr;
    if (!ok_ || !take(length, &data)) return {};
    return std::string_view(reinterpret_cast<const char*>(data), length);
}

}  // namespace raftlink
