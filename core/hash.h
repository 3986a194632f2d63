// SPDX-License-Identifier: MIT
// FNV-1a, 64 bits: a fast, deterministic, non-cryptographic hash for digests and stream
// names (never for anything an adversary controls the collisions of).
#pragma once

#include <cstdint>
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

}  // namespace raftlink
