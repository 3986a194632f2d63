// SPDX-License-Identifier: MIT
// The one source of randomness: a seeded xoshiro256** generator with our own distributions.
//
// The standard library's distributions produce different sequences on different standard
// libraries, which would break seed replay, so they are never used. Each component owns one
// Prng derived from the run seed and a stream name (`Prng::derive`), so that adding a random
// draw in one component does not shift the draws of another.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "core/assert.h"

namespace raftlink {

class Prng {
public:
    explicit Prng(std::uint64_t seed);

    /// A generator for an independent stream, e.g. derive(seed, "network", 0).
    static Prng derive(std::uint64_t seed, std::string_view stream, std::uint64_t index);

    // The draws are defined here, inline: the simulator makes one or more per message, and a
    // call per draw cost more than the draw itself. The input checks stay (inline compares).
    std::uint64_t next_u64() {
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

    /// Uniform in [0, bound); bound > 0. Unbiased (rejection sampling).
    std::uint64_t below(std::uint64_t bound) {
        ASSERT_GT(bound, 0U);
        // Reject the top partial range so that every value is equally likely.
        const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
        for (;;) {
            const std::uint64_t x = next_u64();
            if (x < limit) return x % bound;
        }
    }

    /// Uniform in [min, max]; min <= max.
    std::int64_t uniform(std::int64_t min, std::int64_t max) {
        ASSERT_LE(min, max);
        const auto span = static_cast<std::uint64_t>(max - min) + 1;
        if (span == 0) return static_cast<std::int64_t>(next_u64());  // the whole 64-bit range
        return min + static_cast<std::int64_t>(below(span));
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    double unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

    /// True with probability `ratio` (0 <= ratio <= 1).
    bool chance(double ratio) {
        ASSERT_GE(ratio, 0.0);
        ASSERT_LE(ratio, 1.0);
        return unit() < ratio;
    }

    /// Exponentially distributed with the given mean (> 0), by inversion.
    double exponential(double mean) {
        ASSERT_GT(mean, 0.0);
        // 1 - unit() is in (0, 1], so the logarithm is finite.
        return -mean * std::log(1.0 - unit());
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t state_[4];
};

}  // namespace raftlink
