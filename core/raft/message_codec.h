// SPDX-License-Identifier: MIT
// Raft messages to bytes and back, for the real transport (io/real frames them with a length
// and checksum). The format is little-endian with a version byte; see message_codec.cc.
//
// Decoding never trusts its input: a truncated, oversized or malformed message is an Error,
// never a crash, so that a stray or hostile peer cannot take a node down. What decodes is only
// well-formed, not true: raft::Node still validates the content (terms, indexes, senders).
#pragma once

#include <cstddef>

#include "core/raft/messages.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::raft {

/// Bounds enforced by decode_message.
constexpr std::size_t message_entries_max = 4096;
constexpr std::size_t entry_bytes_max = 64 * 1024;

Bytes encode_message(const Message& message);
Result<Message> decode_message(ByteView bytes);

}  // namespace raftlink::raft
