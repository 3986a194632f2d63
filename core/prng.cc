// SPDX-License-Identifier: MIT
#include "core/prng.h"

#include <cmath>

#include "core/assert.h"
#include "core/hash.h"

namespace raftlink {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    x += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Prng::Prng(std::uint64_t seed) {
    // SplitMix64 expands the seed, as the xoshiro authors recommend; it never yields an
    // all-zero state.
    std::uint64_t x = seed;
    for (auto& word : state_) word = splitmix64(x);
}

Prng Prng::derive(std::uint64_t seed, std::string_view stream, std::uint64_t index) {
    // FNV-1a over the stream name, mixed with the seed and index.
    std::uint64_t x = seed ^ fnv1a64(stream);
    const std::uint64_t mixed = splitmix64(x) ^ (index * 0xd1b54a32d192ed03ULL);
    return Prng(mixed);
}

std::uint64_t Prng::next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

std::uint64_t Prng::below(std::uint64_t bound) {
    ASSERT_GT(bound, 0U);
    // Reject the top partial range so that every value is equally likely.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    for (;;) {
        const std::uint64_t x = next_u64();
        if (x < limit) return x % bound;
    }
}

std::int64_t Prng::uniform(std::int64_t min, std::int64_t max) {
    ASSERT_LE(min, max);
    const auto span = static_cast<std::uint64_t>(max - min) + 1;
    if (span == 0) return static_cast<std::int64_t>(next_u64());  // the whole 64-bit range
    return min + static_cast<std::int64_t>(below(span));
}

double Prng::unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

bool Prng::chance(double ratio) {
    ASSERT_GE(ratio, 0.0);
    ASSERT_LE(ratio, 1.0);
    return unit() < ratio;
}

double Prng::exponential(double mean) {
    ASSERT_GT(mean, 0.0);
    // 1 - unit() is in (0, 1], so the logarithm is finite.
    return -mean * std::log(1.0 - unit());
}

}  // namespace raftlink
