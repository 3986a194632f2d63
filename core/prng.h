// SPDX-License-Identifier: MIT
// The one source of randomness: a seeded xoshiro256** generator with our own distributions.
//
// The standard library's distributions produce different sequences on different standard
// libraries, which would break seed replay, so they are never used. Each component owns one
// Prng derived from the run seed and a stream name (`Prng::derive`), so that adding a random
// draw in one component does not shift the draws of another.
#pragma once

#include <cstdint>
#include <string_view>

namespace raftlink {

class Prng {
public:
    explicit Prng(std::uint64_t seed);

    /// A generator for an independent stream, e.g. derive(seed, "network", 0).
    static Prng derive(std::uint64_t seed, std::string_view stream, std::uint64_t index);

    std::uint64_t next_u64();
    /// Uniform in [0, bound); bound > 0. Unbiased (rejection sampling).
    std::uint64_t below(std::uint64_t bound);
    /// Uniform in [min, max]; min <= max.
    std::int64_t uniform(std::int64_t min, std::int64_t max);
    /// Uniform in [0, 1) with 53 bits of precision.
    double unit();
    /// True with probability `ratio` (0 <= ratio <= 1).
    bool chance(double ratio);
    /// Exponentially distributed with the given mean (> 0), by inversion.
    double exponential(double mean);

private:
    std::uint64_t state_[4];
};

}  // namespace raftlink
