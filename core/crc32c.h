// SPDX-License-Identifier: MIT
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for disk records and network frames.
//
// Table-driven, eight bytes at a time (slicing-by-8). The tables are compile-time constants,
// so the module holds no mutable state. Any CRC detects every single-bit error, and CRC-32C
// detects every error of up to 5 bits in messages of up to about 5 kB (Koopman), which is
// why a bit flip in a stored record can never pass as valid.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/types.h"

namespace raftlink {

/// The CRC-32C of `data`; crc32c("123456789") == 0xE3069283 and crc32c("") == 0.
std::uint32_t crc32c(ByteView data);
std::uint32_t crc32c(std::string_view data);

/// Continues a CRC over more bytes: crc32c_extend(crc32c(a), b) == crc32c(a followed by b).
std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data);

}  // namespace raftlink
