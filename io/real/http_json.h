// SPDX-License-Identifier: MIT
// The JSON bodies of the HTTP API (RapidJSON): building every answer and parsing a create.
//
// Building goes through RapidJSON's Writer, so every string (URLs, Host headers, messages)
// is escaped. Parsing never trusts its input: it is iterative (a deeply nested body cannot
// exhaust the stack), checks every type before reading it, and reports a sentence on error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/replica.h"
#include "core/result.h"

namespace raftlink::real {

/// {"message": message}
std::string json_message(std::string_view message);

/// {"url": short_url, "redirectsTo": long_url}
std::string json_created(std::string_view short_url, std::string_view long_url);

/// The seed's FoundLeader answer, plus leaderUrl when it is known:
/// {"message": message, "leaderId": N, "leaderUrl": "http://..."}.
std::string json_not_leader(std::string_view message, NodeId leader,
                            const std::string* leader_url);

/// GET /status: see the keys in the implementation's comment and in http_server.h.
std::string json_status(const ReplicaStatus& status, const std::string* leader_url);

/// {"service":"raftlink","routes":[...]}: what GET / answers.
std::string json_index();

/// A create's JSON body: {"url": "...", "idempotencyKey": "..."} (the key is optional).
struct CreateBody {
    std::string url;
    std::optional<std::string> idempotency_key;
};

/// Parses a create's JSON body; an Error (Malformed) whose message says what is wrong.
Result<CreateBody> parse_create_body(std::string_view body);

}  // namespace raftlink::real
