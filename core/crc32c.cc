// SPDX-License-Identifier: MIT
#include "core/crc32c.h"

#include <array>

namespace raftlink {
namespace {

constexpr std::uint32_t castagnoli_reflected = 0x82F63B78U;

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) != 0 ? (crc >> 1) ^ castagnoli_reflected : crc >> 1;
        }
        table[byte] = crc;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> table = make_table();

// The table's well-known second entry; a wrong polynomial or bit order fails to compile.
static_assert(table[1] == 0xF26B8303U);
static_assert(table[128] == 0x82F63B78U);

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data) {
    // The register is kept inverted between calls' boundaries, as the standard specifies
    // (initial value and final XOR both 0xFFFFFFFF), so extending is undo, feed, redo.
    std::uint32_t state = ~crc;
    for (const std::uint8_t byte : data) {
        state = table[(state ^ byte) & 0xFFU] ^ (state >> 8);
    }
    return ~state;
}

std::uint32_t crc32c(ByteView data) { return crc32c_extend(0, data); }

std::uint32_t crc32c(std::string_view data) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    return crc32c(ByteView(bytes, data.size()));
}

}  // namespace raftlink
