// SPDX-License-Identifier: MIT
#include "core/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#endif

namespace raftlink {
namespace {

constexpr std::uint32_t castagnoli_reflected = 0x82F63B78U;

using Table = std::array<std::uint32_t, 256>;

constexpr Table make_table() {
    Table table{};
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) != 0 ? (crc >> 1) ^ castagnoli_reflected : crc >> 1;
        }
        table[byte] = crc;
    }
    return table;
}

constexpr Table table = make_table();

// The table's well-known second entry; a wrong polynomial or bit order fails to compile.
static_assert(table[1] == 0xF26B8303U);
static_assert(table[128] == 0x82F63B78U);

// Slicing-by-8 (Intel's method, as in zlib and LevelDB's portable path): tables[k][b] is the
// CRC of byte b followed by k zero bytes, so eight bytes fold into the register with eight
// independent lookups instead of a chain of eight. Same result as the byte loop, several
// times faster; every disk record and frame is checksummed, in the simulator many per step.
constexpr std::array<Table, 8> make_tables() {
    std::array<Table, 8> tables{};
    tables[0] = table;
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::uint32_t byte = 0; byte < 256; ++byte) {
            const std::uint32_t previous = tables[k - 1][byte];
            tables[k][byte] = table[previous & 0xFFU] ^ (previous >> 8);
        }
    }
    return tables;
}

constexpr std::array<Table, 8> tables = make_tables();

// Any bytes followed by their own CRC-32C (little-endian) have this CRC.
constexpr std::uint32_t checked_record_residue = 0x48674BC7U;

// factors[n] is x^(8n - 33) mod the polynomial, reflected: a carry-less multiplication by it,
// reduced by the crc32 instruction, moves a CRC register past n zero bytes (the step Intel's
// three-way CRC-32C joins its streams with). From 5 bytes (8n >= 33) up to 1 KiB, well
// above a record of a typical URL; a longer record is read instead.
constexpr std::size_t shift_bytes_min = 5;
using ShiftFactors = std::array<std::uint32_t, 1024>;

constexpr std::uint32_t times_x(std::uint32_t factor) {
    return (factor & 1U) != 0 ? (factor >> 1) ^ castagnoli_reflected : factor >> 1;
}

constexpr ShiftFactors make_shift_factors() {
    ShiftFactors factors{};
    std::uint32_t factor = 0x80000000U;  // x^0
    for (std::size_t bit = 0; bit < 8 * shift_bytes_min - 33; ++bit) factor = times_x(factor);
    for (std::size_t bytes = shift_bytes_min; bytes < factors.size(); ++bytes) {
        factors[bytes] = factor;
        for (int bit = 0; bit < 8; ++bit) factor = times_x(factor);
    }
    return factors;
}

constexpr ShiftFactors shift_factors = make_shift_factors();

static_assert(shift_factors[shift_bytes_min] == 0x80000000U >> 7);

std::uint32_t load_u32(const std::uint8_t* bytes) {
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

#if defined(__x86_64__)
// SSE4.2's crc32 instruction computes exactly CRC-32C, eight bytes per instruction: about
// four times the table's speed (1,100 instructions per create per node on the table).
// Four words per turn of the loop, and the last bytes 4, 2 and 1 at a time: a third fewer
// instructions than a word per turn and a byte loop for the tail (75 -> 49 per call on the
// simulator's disk records, about 100 bytes each).
template <typename Word>
Word load(const std::uint8_t* bytes) {
    Word word = 0;
    std::memcpy(&word, bytes, sizeof word);  // unaligned, little-endian as the CRC wants
    return word;
}

__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t crc, ByteView data) {
    std::uint64_t state = ~crc;
    const std::uint8_t* next = data.data();
    std::size_t left = data.size();
    for (; left >= 32; left -= 32, next += 32) {
        state = _mm_crc32_u64(state, load<std::uint64_t>(next));
        state = _mm_crc32_u64(state, load<std::uint64_t>(next + 8));
        state = _mm_crc32_u64(state, load<std::uint64_t>(next + 16));
        state = _mm_crc32_u64(state, load<std::uint64_t>(next + 24));
    }
    for (; left >= 8; left -= 8, next += 8) state = _mm_crc32_u64(state, load<std::uint64_t>(next));
    auto narrow = static_cast<std::uint32_t>(state);
    if (left >= 4) {
        narrow = _mm_crc32_u32(narrow, load<std::uint32_t>(next));
        left -= 4;
        next += 4;
    }
    if (left >= 2) {
        narrow = _mm_crc32_u16(narrow, load<std::uint16_t>(next));
        left -= 2;
        next += 2;
    }
    if (left >= 1) narrow = _mm_crc32_u8(narrow, *next);
    return ~narrow;
}

// Asked once, at start-up (the CPU does not change under a running process): a static local
// would test its guard on every record.
const bool shift_hardware_available = [] {
    __builtin_cpu_init();  // this may run before the constructor that detects the CPU
    return __builtin_cpu_supports("sse4.2") != 0 && __builtin_cpu_supports("pclmul") != 0;
}();

// crc32c_extend_checked_record() for a record of the length `factor` stands for: the
// register `crc` moved past that many zero bytes, plus the residue.
__attribute__((target("sse4.2,pclmul"))) std::uint32_t extend_checked_record_clmul(
    std::uint32_t crc, std::uint32_t factor) {
    const __m128i product = _mm_clmulepi64_si128(_mm_cvtsi32_si128(static_cast<int>(crc)),
                                                 _mm_cvtsi32_si128(static_cast<int>(factor)), 0);
    const auto moved = static_cast<std::uint32_t>(
        _mm_crc32_u64(0, static_cast<std::uint64_t>(_mm_cvtsi128_si64(product))));
    return checked_record_residue ^ moved;
}
#endif

}  // namespace

bool detail::crc32c_hardware_available() {
#if defined(__x86_64__)
    // The CPU does not change under a running process, so asking once is enough; the answer
    // only picks between two computations of the same function.
    static const bool available = __builtin_cpu_supports("sse4.2") != 0;
    return available;
#else
    return false;
#endif
}

std::uint32_t detail::crc32c_extend_hardware(std::uint32_t crc, ByteView data) {
#if defined(__x86_64__)
    return extend_sse42(crc, data);
#else
    (void)crc;
    (void)data;
    return 0;
#endif
}

std::uint32_t crc32c_extend(std::uint32_t crc, ByteView data) {
    if (detail::crc32c_hardware_available()) return detail::crc32c_extend_hardware(crc, data);
    return detail::crc32c_extend_table(crc, data);
}

namespace {

// Out of line, so that crc32c_extend_checked_record() saves no registers for this path.
[[gnu::noinline, gnu::cold]] std::uint32_t extend_by_reading(std::uint32_t crc, ByteView data) {
    return crc32c_extend(crc, data);
}

}  // namespace

std::uint32_t crc32c_extend_checked_record(std::uint32_t crc, ByteView record) {
#if defined(__x86_64__)
    // CRC-32C is affine in its register: extending `crc` over the record is extending 0 over
    // it (the residue) plus `crc` moved past as many zero bytes.
    if (shift_hardware_available && record.size() >= shift_bytes_min &&
        record.size() < shift_factors.size()) {
        return extend_checked_record_clmul(crc, shift_factors[record.size()]);
    }
#endif
    return extend_by_reading(crc, record);
}

std::uint32_t detail::crc32c_extend_table(std::uint32_t crc, ByteView data) {
    // The register is kept inverted between calls' boundaries, as the standard specifies
    // (initial value and final XOR both 0xFFFFFFFF), so extending is undo, feed, redo.
    std::uint32_t state = ~crc;
    const std::uint8_t* next = data.data();
    std::size_t left = data.size();
    for (; left >= 8; left -= 8, next += 8) {
        const std::uint32_t low = state ^ load_u32(next);
        const std::uint32_t high = load_u32(next + 4);
        state = tables[7][low & 0xFFU] ^ tables[6][(low >> 8) & 0xFFU] ^
                tables[5][(low >> 16) & 0xFFU] ^ tables[4][low >> 24] ^
                tables[3][high & 0xFFU] ^ tables[2][(high >> 8) & 0xFFU] ^
                tables[1][(high >> 16) & 0xFFU] ^ tables[0][high >> 24];
    }
    for (; left > 0; --left, ++next) state = table[(state ^ *next) & 0xFFU] ^ (state >> 8);
    return ~state;
}

std::uint32_t crc32c(ByteView data) { return crc32c_extend(0, data); }

std::uint32_t crc32c(std::string_view data) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    return crc32c(ByteView(bytes, data.size()));
}

}  // namespace raftlink
