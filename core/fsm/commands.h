// SPDX-License-Identifier: MIT
// The commands of the URL store, as they travel in log entries.
//
// A command is encoded by the leader when a client's request is proposed and decoded by every
// replica when the entry is applied. Decoding never trusts its input: a malformed payload is
// an Error, not a crash. An empty entry payload is Raft's own no-op (§8) and is not a Command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "core/types.h"

namespace raftlink::fsm {

/// Bounds on what a command may carry; the service validates requests against them.
constexpr std::size_t url_bytes_max = 8192;
constexpr std::size_t idempotency_key_bytes_max = 128;

/// Create a short URL for `url`. The short id is not chosen here: it is derived from the log
/// index at apply time (short_code.h), so no two creates can collide.
struct CreateUrl {
    std::string url;
    /// Empty means "no key". A retry with the same key returns the first create's short id.
    std::string idempotency_key;
    /// Wall time stamped by the leader when proposing (ms since the Unix epoch); the state
    /// machine never reads a clock itself (LogCabin's clusterTime).
    std::int64_t created_at_ms = 0;

    bool operator==(const CreateUrl&) const = default;
};

using Command = std::variant<CreateUrl>;

/// A CreateUrl whose strings are views into the payload it was decoded from.
struct CreateUrlView {
    std::string_view url;
    std::string_view idempotency_key;
    std::int64_t created_at_ms = 0;
};
using CommandView = std::variant<CreateUrlView>;

Bytes encode_command(const Command& command);
/// encode_command() of the command `view` shows: the same bytes, from strings the caller
/// keeps (a leader encodes a client's request without copying it into a Command first).
Bytes encode_command(const CommandView& view);
Result<Command> decode_command(ByteView payload);
/// decode_command() without copying the strings (every replica decodes every entry it
/// applies, a restarted one its whole log): the same checks and errors; the views are
/// valid while `payload` is.
Result<CommandView> decode_command_view(ByteView payload);
/// The view of `command`'s fields, valid while `command` is.
CommandView view_of(const Command& command);

}  // namespace raftlink::fsm
