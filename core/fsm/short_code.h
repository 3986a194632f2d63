// SPDX-License-Identifier: MIT
// Short ids: a keyed bijection from log indexes to fixed-length base62 codes.
//
// Every create is applied at a distinct log index, and the map index -> code is a permutation
// (a Feistel network with cycle walking, keyed per cluster), so codes never collide and need no
// check-then-act. The codes look random, so they do not reveal how many URLs exist.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace raftlink::fsm {

/// Every code has exactly this many characters from [0-9A-Za-z].
constexpr std::size_t short_code_length = 7;
/// 62^7: indexes 1 .. short_code_index_max - 1 have a code.
constexpr std::uint64_t short_code_index_max = 3'521'614'606'208ULL;

/// The code of the entry at `index` (1 <= index < short_code_index_max) under `key`.
std::string short_code_for(LogIndex index, std::uint64_t key);

/// The inverse: the index whose code is `code`, or nullopt if `code` is not a well-formed code
/// (wrong length or alphabet) or maps to index 0.
std::optional<LogIndex> index_for_short_code(std::string_view code, std::uint64_t key);

/// The bijection under one key, with the key's round keys derived once: the same answers as
/// the functions above at about half their cost, for a store that maps every create it
/// applies and every id it is asked for.
class ShortCodes {
public:
    /// Luby-Rackoff: 4 rounds with random round functions give a strong pseudo-random
    /// permutation; 6 leave margin for a round function that is a fast mix rather than a
    /// cryptographic one. Part of the public format, like every constant of the bijection.
    static constexpr int round_count = 6;

    explicit ShortCodes(std::uint64_t key);
    std::uint64_t key() const { return key_; }
    std::string code_for(LogIndex index) const;
    std::optional<LogIndex> index_for(std::string_view code) const;

private:
    std::uint64_t key_;
    std::array<std::uint64_t, round_count> round_keys_;
};

}  // namespace raftlink::fsm
