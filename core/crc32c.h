// SPDX-License-Identifier: MIT
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for disk records and network frames.
//
// With the CPU's crc32 instruction where it has one (x86-64 with SSE4.2), else table-driven,
// eight bytes at a time (slicing-by-8). Both give the same values. The tables are compile-time constants,
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
/// Uses the CPU's CRC-32C instruction when it has one (SSE4.2), else the tables.
std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data);

/// crc32c_extend(crc, record) for a `record` whose last four bytes are the CRC-32C of the
/// bytes before them, little-endian, as every disk record ends. Such a record always has the
/// CRC 0x48674BC7 (CRC-32C's residue), so extending over it depends on its length alone: with
/// SSE4.2 and PCLMULQDQ it is one carry-less multiplication and one crc32 instruction, not a
/// pass over its bytes. Checksumming a batch's body record by record this way reads no byte
/// a second time. Precondition: the record does end with its CRC (else the result is wrong).
std::uint32_t crc32c_extend_checked_record(std::uint32_t crc, ByteView record);

namespace detail {
/// The two computations crc32c_extend chooses between, for the test that holds them equal.
std::uint32_t crc32c_extend_table(std::uint32_t crc, ByteView data);
bool crc32c_hardware_available();
/// Precondition: crc32c_hardware_available().
std::uint32_t crc32c_extend_hardware(std::uint32_t crc, ByteView data);
}  // namespace detail

}  // namespace raftlink
