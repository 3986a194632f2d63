// SPDX-License-Identifier: MIT
#include "core/codec.h"

#include "core/assert.h"

namespace raftlink {

void ByteWriter::u8(std::uint8_t value) { buffer_.push_back(value); }

void ByteWriter::bytes(ByteView value) {
    ASSERT_LE(value.size(), std::size_t{UINT32_MAX});
    u32(static_cast<std::uint32_t>(value.size()));
    buffer_.insert(buffer_.end(), value.begin(), value.end());
}

void ByteWriter::string(std::string_view value) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(value.data());
    bytes(ByteView(data, value.size()));
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

}  // namespace raftlink
