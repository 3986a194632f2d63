// SPDX-License-Identifier: MIT
// The node's settings, from flags, a TOML config file (--config), or the seed's environment
// variables (NODE_ID, CLUSTER_SIZE, USE_PORTS_FROM), and their validation.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/raft/config.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::node {

struct Member {
    NodeId id;
    boost::asio::ip::tcp::endpoint raft;
    boost::asio::ip::tcp::endpoint http;
};

struct NodeConfig {
    NodeId id;
    std::vector<Member> members;  // sorted by id, including this node
    std::filesystem::path data_dir;
    std::string log_level = "info";
    Nanos election_timeout_min = ms(150);
    Nanos election_timeout_max = ms(300);
    Nanos heartbeat_interval = ms(50);
    Nanos commit_timeout = ms(5000);
    /// A connection that has not sent a complete request header by then is closed.
    Nanos http_header_timeout = ms(10'000);
    std::filesystem::path secret_file;
    std::string secret;
    /// Keys the short-code bijection: every node of a cluster must use the same name, and it
    /// must never change while the cluster holds data (existing ids would change).
    std::string cluster_name = "raftlink";
    /// The replication pipeline's bounds (core/raft/config.h explains each); the defaults
    /// are the core's.
    std::size_t storage_writes_inflight_max = raft::Config{}.storage_writes_inflight_max;
    std::size_t entries_bytes_per_append_max = raft::Config{}.entries_bytes_per_append_max;
    std::size_t inflight_appends_max = raft::Config{}.inflight_appends_max;

    const Member& self() const;
};

/// "1=127.0.0.1:7001/127.0.0.1:8001,2=..." -> members sorted by id. Errors name the entry.
Result<std::vector<Member>> parse_members(std::string_view text);
/// The seed's scheme: node i of n listens for HTTP on base+i-1 and Raft on base+n+i-1.
Result<std::vector<Member>> members_from_seed_ports(std::uint64_t cluster_size,
                                                    std::uint64_t use_ports_from);
/// "150-300" -> (150 ms, 300 ms).
Result<std::pair<Nanos, Nanos>> parse_millis_range(std::string_view text);
/// The first problem with `config`, or nullopt.
std::optional<std::string> validate(const NodeConfig& config);

/// Reads the cluster secret (trailing newlines removed). When `path` does not exist and
/// `create` is true, creates it with 32 random bytes (hex), atomically, so that nodes started
/// together from one directory share one secret.
Result<std::string> load_secret(const std::filesystem::path& path, bool create);

}  // namespace raftlink::node
