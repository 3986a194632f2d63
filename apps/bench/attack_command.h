// SPDX-License-Identifier: MIT
// `bench attack`: load on one node's HTTP API, open or closed loop, with vegeta's report.
#pragma once

#include <cstdint>
#include <string>

#include "apps/bench/request_target.h"

namespace raftlink::bench {

struct AttackArguments {
    std::string url = "http://127.0.0.1:8001";
    /// "create" or "read".
    std::string target = "create";
    std::string body_template{default_body_template};
    /// The {seq} of the first create.
    std::uint64_t sequence_first = 1;
    /// Create target: the path to POST to ("/" for raftlink; another server's write endpoint,
    /// e.g. etcd's JSON gateway /v3/kv/put, to compare the two with the same generator).
    std::string create_path = "/";
    std::string ids_file;
    std::string save_ids_file;
    /// Read target: create this many ids on the leader first, instead of reading --ids.
    std::uint64_t prefill = 0;
    /// "open" or "closed".
    std::string mode = "open";
    double rate = 50;
    std::string duration = "30s";
    std::uint64_t requests_max = 0;
    unsigned connections = 64;
    std::size_t connections_max = 1024;
    unsigned threads = 1;
    std::string timeout = "30s";
    std::string json_file;
    bool json_results = false;
    std::string svg_file;
    std::string progress = "auto";
    bool quiet = false;
    /// "sent" (vegeta) or "scheduled".
    std::string latency_from = "sent";
};

/// Runs the attack and prints the report on stdout. Returns an exit code (cli_common.h).
int command_attack(const AttackArguments& arguments);

}  // namespace raftlink::bench
