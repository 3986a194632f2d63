// SPDX-License-Identifier: MIT
// Short ids: a keyed bijection from log indexes to fixed-length base62 codes.
//
// Every create is applied at a distinct log index, and the map index -> code is a permutation
// (a Feistel network with cycle walking, keyed per cluster), so codes never collide and need no
// check-then-act. The codes look random, so they do not reveal how many URLs exist.
#pragma once

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

}  // namespace raftlink::fsm
