// SPDX-License-Identifier: MIT
// `bench cluster`: starts a local cluster of real nodes and runs the seed's benchmark profile
// against it (cluster_profile.h), printing each phase, then a summary; stops every node.
#pragma once

#include <cstdint>
#include <string>

namespace raftlink::bench {

struct ClusterArguments {
    unsigned nodes = 3;
    /// Empty: the node next to bench in a build tree (../node/node).
    std::string node_binary;
    std::string duration = "10s";
    double write_rate_low = 100;
    double write_rate_high = 1000;
    double read_rate = 1000;
    unsigned connections = 64;
    unsigned failover_runs = 3;
    std::uint64_t fill = 0;
    std::string timeout = "10s";
    std::string leader_deadline = "20s";
    /// Passed through to every node when non-empty.
    std::string election_timeout_ms;
    std::string heartbeat_ms;
    std::string node_log_level = "warn";
    std::string work_dir;
    bool keep = false;
    std::string json_file;
    /// One SVG per phase in this directory.
    std::string svg_dir;
    unsigned threads = 1;
    std::string progress = "auto";
    bool quiet = false;
    /// argv[0], to find the node binary next to bench.
    std::string program;
};

/// Returns an exit code (cli_common.h).
int command_cluster(const ClusterArguments& arguments);

}  // namespace raftlink::bench
