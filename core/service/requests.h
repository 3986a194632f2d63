// SPDX-License-Identifier: MIT
// The service's requests and answers as plain C++ types, shared by the HTTP server and the
// simulated clients. They map one to one onto the HTTP API of DESIGN.md (status in comments).
#pragma once

#include <functional>
#include <string>

#include "core/fsm/url_store.h"
#include "core/types.h"

namespace raftlink::service {

struct ShortenRequest {
    std::string url;
    /// Optional; a retry with the same key returns the same short id.
    std::string idempotency_key;
};

enum class ShortenStatus {
    Created,     // 201 {"url", "redirectsTo"}
    NotLeader,   // 409 the seed's FoundLeader: {"message":"Not a leader node","leaderId":N}
    NoLeader,    // 503 with Retry-After: this node knows no leader
    Timeout,     // 408 the entry did not commit within the commit timeout
    Invalid,     // 400 the URL is not an absolute http(s) URL within the length limit
};

struct ShortenResponse {
    ShortenStatus status = ShortenStatus::Invalid;
    fsm::UrlRecord record;        // Created
    bool deduplicated = false;    // Created: an earlier create with the same key
    NodeId leader_id;             // NotLeader
    std::string message;          // every status but Created
};

using ShortenDone = std::function<void(const ShortenResponse&)>;

/// How fresh a read must be. Stale (the default, as in the seed) is answered by any replica
/// from its own store; Linearizable reflects every create acknowledged before the read was
/// sent (ReadIndex, Raft thesis §6.4) and is answered by the leader only.
enum class ReadConsistency { Stale, Linearizable };

enum class ResolveStatus {
    Found,      // 302 Location: url
    NotFound,   // 404
    Invalid,    // 404 as well: not a well-formed short id
    NotLeader,  // 409 (linearizable only) with the leader's id
    NoLeader,   // 503 (linearizable only) no leader known
    Timeout,    // 408 (linearizable only) leadership not confirmed in time
};

struct ResolveResponse {
    ResolveStatus status = ResolveStatus::NotFound;
    std::string url;
    NodeId leader_id;   // NotLeader
};

using ResolveDone = std::function<void(const ResolveResponse&)>;

const char* shorten_status_name(ShortenStatus status);

}  // namespace raftlink::service
