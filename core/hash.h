// SPDX-License-Identifier: MIT
// FNV-1a, 64 bits: a fast, deterministic, non-cryptographic hash for digests and stream
// names (never for anything an adversary controls the collisions of). And text_hash, for the
// hand-written open-addressing tables of short texts: the URL store's idempotency keys and
// the simulator checkers' TextIndex. Neither table is ever iterated, so text_hash places
// texts but reaches no output; unlike FNV-1a it is not a stable format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/types.h"

namespace raftlink {

constexpr std::uint64_t fnv1a64_offset = 0xcbf29ce484222325ULL;

/// Continues `hash` over `bytes` (start with fnv1a64_offset).
constexpr std::uint64_t fnv1a64(ByteView bytes, std::uint64_t hash = fnv1a64_offset) {
    for (const std::uint8_t byte : bytes) {
        hash ^= byte;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash = fnv1a64_offset) {
    for (const char c : text) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

/// Eight bytes at a time, multiplied in (the last eight, which tell keys, URLs and codes
/// apart, as one word read whole, overlapping the one before; a text under eight bytes as one
/// word), then mixed so that every bit reaches the low ones a table uses (murmur3's
/// finalizer). std::hash took 77 instructions for a key of 17 bytes.
inline std::uint64_t text_hash(std::string_view text) {
    constexpr std::uint64_t multiplier = 0x9e37'79b9'7f4a'7c15;
    std::uint64_t hash = text.size();
    std::uint64_t word = 0;
    if (text.size() < 8) {
        std::memcpy(&word, text.data(), text.size());
        hash = (hash ^ word) * multiplier;
    } else {
        for (std::size_t at = 0; at + 8 < text.size(); at += 8) {
            std::memcpy(&word, text.data() + at, 8);
            hash = (hash ^ word) * multiplier;
        }
        std::memcpy(&word, text.data() + text.size() - 8, 8);
        hash = (hash ^ word) * multiplier;
    }
    hash ^= hash >> 33;
    hash *= 0xff51'afd7'ed55'8ccd;
    hash ^= hash >> 33;
    return hash;
}

}  // namespace raftlink
