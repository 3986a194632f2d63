// SPDX-License-Identifier: MIT
#include "core/fsm/short_code.h"

#include <algorithm>
#include <array>

#include "core/assert.h"

namespace raftlink::fsm {
namespace {

// NB: every constant in this file is part of the public format. Codes are handed to clients and
// rebuilt from snapshots, so changing the alphabet, the rounds or the round function would make
// every existing short link resolve to a different URL (the golden test pins them).

constexpr std::string_view alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t base = 62;
static_assert(alphabet.size() == base);

constexpr std::uint64_t power(std::uint64_t value, std::size_t exponent) {
    std::uint64_t result = 1;
    for (std::size_t i = 0; i < exponent; i++) result *= value;
    return result;
}
static_assert(power(base, short_code_length) == short_code_index_max);
// code_for() extracts the last this many digits and the others separately, in 32 bits.
constexpr std::size_t low_digits = 4;

// The Feistel network permutes [0, 2^42), the smallest even-width domain that holds 62^7.
constexpr int half_bits = 21;
constexpr std::uint64_t half_mask = (std::uint64_t{1} << half_bits) - 1;
constexpr std::uint64_t domain_size = std::uint64_t{1} << (2 * half_bits);
static_assert(domain_size >= short_code_index_max);
// About 80% of the domain is below 62^7, so cycle walking takes 1.25 steps on average.
static_assert(domain_size - short_code_index_max < short_code_index_max);

constexpr int round_count = ShortCodes::round_count;
using RoundKeys = std::array<std::uint64_t, round_count>;

constexpr std::uint64_t golden_gamma = 0x9e3779b97f4a7c15ULL;

/// The SplitMix64 finalizer: a bijection on 64-bit words with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr RoundKeys round_keys_of(std::uint64_t key) {
    RoundKeys keys{};
    for (int round = 0; round < round_count; round++) {
        keys[static_cast<std::size_t>(round)] =
            mix64(key ^ (static_cast<std::uint64_t>(round + 1) * golden_gamma));
    }
    return keys;
}

constexpr std::uint64_t round_function(std::uint64_t half, const RoundKeys& keys, int round) {
    return mix64(half ^ keys[static_cast<std::size_t>(round)]) & half_mask;
}

std::uint64_t feistel_forward(std::uint64_t value, const RoundKeys& key) {
    ASSERT_LT(value, domain_size);
    std::uint64_t left = value >> half_bits;
    std::uint64_t right = value & half_mask;
    for (int round = 0; round < round_count; round++) {
        const std::uint64_t next_right = left ^ round_function(right, key, round);
        left = right;
        right = next_right;
    }
    return (left << half_bits) | right;
}

std::uint64_t feistel_inverse(std::uint64_t value, const RoundKeys& key) {
    ASSERT_LT(value, domain_size);
    std::uint64_t left = value >> half_bits;
    std::uint64_t right = value & half_mask;
    for (int round = round_count - 1; round >= 0; round--) {
        const std::uint64_t previous_left = right ^ round_function(left, key, round);
        right = left;
        left = previous_left;
    }
    return (left << half_bits) | right;
}

/// The position of `c` in the alphabet, or `base` if it is not in it. The alphabet is three
/// runs of consecutive ASCII characters, so each run maps by an offset.
constexpr std::uint64_t digit_of(char c) {
    if (c >= '0' && c <= '9') return static_cast<std::uint64_t>(c - '0');
    if (c >= 'A' && c <= 'Z') return static_cast<std::uint64_t>(c - 'A') + 10;
    if (c >= 'a' && c <= 'z') return static_cast<std::uint64_t>(c - 'a') + 36;
    return base;
}

constexpr std::uint64_t value_of(std::string_view code) {
    std::uint64_t value = 0;
    for (const char c : code) value = value * base + digit_of(c);
    return value;
}

// Paths of the HTTP API that are also well-formed codes: never handed out, so that the URL
// created at some index can always be looked up (GET /healthz is the health check).
constexpr std::array<std::uint64_t, 2> reserved_values = {value_of("healthz"),
                                                          value_of("metrics")};

constexpr bool reserved(std::uint64_t value) {
    return std::find(reserved_values.begin(), reserved_values.end(), value) !=
           reserved_values.end();
}

// A value the walk may stop at: a 7-digit code that is not reserved.
constexpr bool allowed(std::uint64_t value) {
    return value < short_code_index_max && !reserved(value);
}

// Cycle walking (Black and Rogaway): apply the permutation until the value lands on an
// allowed value (in [0, 62^7) and not reserved). It terminates because the start is allowed
// and the permutation's cycle through it must come back to it; and it is a bijection on the
// allowed values because walking forward and walking backward stop at the same allowed
// neighbours on that cycle.
std::uint64_t permute(std::uint64_t value, const RoundKeys& key) {
    ASSERT(allowed(value));
    do {
        value = feistel_forward(value, key);
    } while (!allowed(value));
    return value;
}

std::uint64_t unpermute(std::uint64_t value, const RoundKeys& key) {
    ASSERT(allowed(value));
    do {
        value = feistel_inverse(value, key);
    } while (!allowed(value));
    return value;
}

}  // namespace

std::string short_code_for(LogIndex index, std::uint64_t key) {
    return ShortCodes(key).code_for(index);
}

std::optional<LogIndex> index_for_short_code(std::string_view code, std::uint64_t key) {
    return ShortCodes(key).index_for(code);
}

ShortCodes::ShortCodes(std::uint64_t key) : key_(key), round_keys_(round_keys_of(key)) {}

std::string ShortCodes::code_for(LogIndex index) const {
    ASSERT_GE(index.value, std::uint64_t{1});
    ASSERT_LT(index.value, short_code_index_max);
    std::uint64_t value = permute(index.value, round_keys_);

    // Most significant digit first, left-padded with '0', so every code has the same length.
    // The value (< 62^7 < 2^42) is split at 62^4 into two halves that fit 32 bits, whose
    // digits are cheaper to extract than with 64-bit division.
    static_assert(power(base, low_digits) <= 0xffff'ffffULL);
    static_assert(power(base, short_code_length - low_digits) <= 0xffff'ffffULL);
    std::uint32_t high = static_cast<std::uint32_t>(value / power(base, low_digits));
    std::uint32_t low = static_cast<std::uint32_t>(value % power(base, low_digits));
    constexpr std::uint32_t base32 = base;
    std::string code(short_code_length, alphabet[0]);
    for (std::size_t position = short_code_length; position > short_code_length - low_digits;
         position--) {
        code[position - 1] = alphabet[low % base32];
        low /= base32;
    }
    for (std::size_t position = short_code_length - low_digits; position > 0; position--) {
        code[position - 1] = alphabet[high % base32];
        high /= base32;
    }
    ASSERT_EQ(high, std::uint32_t{0});
    return code;
}

std::optional<LogIndex> ShortCodes::index_for(std::string_view code) const {
    // The code comes from a client: reject rather than assert.
    if (code.size() != short_code_length) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : code) {
        const std::uint64_t digit = digit_of(c);
        if (digit >= base) return std::nullopt;
        value = value * base + digit;
    }
    // Seven base-62 digits cannot exceed 62^7 - 1, so every well-formed code is in range.
    ASSERT_LT(value, short_code_index_max);
    if (reserved(value)) return std::nullopt;  // never handed out

    const std::uint64_t index = unpermute(value, round_keys_);
    // Index 0 is the empty log prefix: no entry, so its code was never handed out.
    if (index == 0) return std::nullopt;
    return LogIndex(index);
}

}  // namespace raftlink::fsm
