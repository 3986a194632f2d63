// SPDX-License-Identifier: MIT
#include "core/prng.h"

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

}  // namespace raftlink
