// SPDX-License-Identifier: MIT
// One-off synchronous requests to a node, for the control plane of a benchmark: reading
// /status, waiting for /healthz, finding the leader. Never used to generate load.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "apps/bench/http_connection.h"
#include "apps/bench/http_endpoint.h"

namespace raftlink::bench {

/// Sends one request on a fresh connection and waits for the answer at most timeout.
/// Never throws: a failure is an outcome with status_code 0 and the error.
ExchangeOutcome probe(const HttpEndpoint& endpoint, const PreparedRequest& request,
                      DurationNs timeout);

/// The fields of GET /status that bench uses.
struct NodeStatus {
    std::uint64_t id = 0;
    /// "leader", "follower", "candidate" or "pre-candidate".
    std::string role;
    std::uint64_t term = 0;
    /// 0 when the node knows no leader.
    std::uint64_t leader = 0;
    /// Empty when unknown.
    std::string leader_url;
    std::uint64_t commit_index = 0;
    std::uint64_t applied_index = 0;
    std::uint64_t last_index = 0;
    std::uint64_t urls = 0;
};

/// Parses a /status body; nullopt if it is not one.
std::optional<NodeStatus> parse_status(const std::string& body);

/// GET /status; nullopt when the node does not answer 200 with a status within timeout.
std::optional<NodeStatus> fetch_status(const HttpEndpoint& endpoint, DurationNs timeout);

/// The leader's endpoint as `endpoint` sees it: itself when it leads, else its leaderUrl.
/// nullopt when no leader is known or the answer cannot be had.
std::optional<HttpEndpoint> find_leader(const HttpEndpoint& endpoint, DurationNs timeout);

}  // namespace raftlink::bench
