// SPDX-License-Identifier: MIT
// node: one replica of a raftlink cluster.
//
//   node --id 1 --members 1=127.0.0.1:7001/127.0.0.1:8001,2=...,3=... --data-dir data/node-1
//   node --config node1.toml
//   NODE_ID=1 CLUSTER_SIZE=3 USE_PORTS_FROM=9000 node        (the seed's way)
//
// Exit codes: 0 after a clean shutdown; 1 when start-up fails (storage, ports); 2 for bad
// flags or configuration (CLI11's message, or ours naming the setting).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "apps/node/node_config.h"
#include "apps/node/node_runtime.h"
#include "core/text.h"
#include "io/real/log_observer.h"

namespace {

using namespace raftlink;
using namespace raftlink::node;

constexpr int exit_usage = 2;

std::optional<std::uint64_t> environment_number(const char* name) {
    const char* text = std::getenv(name);
    if (text == nullptr) return std::nullopt;
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        throw CLI::ValidationError(name, concat("environment variable ", name, "='", text,
                                                "' is not a number"));
    }
}

struct Flags {
    std::uint64_t id = 0;
    std::string members;
    std::string data_dir;
    std::string log_level = "info";
    std::string election_timeout = "150-300";
    std::uint64_t heartbeat_ms = 50;
    std::uint64_t commit_timeout_ms = 5000;
    std::uint64_t http_header_timeout_ms = 10'000;
    std::string secret_file;
    std::string cluster_name = "raftlink";
    std::size_t storage_writes_inflight_max = raft::Config{}.storage_writes_inflight_max;
    std::size_t entries_bytes_per_append_max = raft::Config{}.entries_bytes_per_append_max;
    std::size_t inflight_appends_max = raft::Config{}.inflight_appends_max;
};

/// Flags first; the seed's environment variables fill in id and members when absent.
NodeConfig build_config(const Flags& flags) {
    NodeConfig config;
    config.id = NodeId(flags.id);
    if (!flags.members.empty()) {
        auto members = parse_members(flags.members);
        if (!members) throw CLI::ValidationError("--members", members.error().message);
        config.members = members.value();
    } else if (const auto size = environment_number("CLUSTER_SIZE")) {
        const auto id = environment_number("NODE_ID");
        const auto base = environment_number("USE_PORTS_FROM");
        if (!id || !base) {
            throw CLI::ValidationError("environment",
                                       "CLUSTER_SIZE needs NODE_ID and USE_PORTS_FROM too");
        }
        auto members = members_from_seed_ports(*size, *base);
        if (!members) throw CLI::ValidationError("environment", members.error().message);
        config.members = members.value();
        if (flags.id == 0) config.id = NodeId(*id);
    }
    config.data_dir = flags.data_dir.empty() ? concat("data/node-", config.id.value) : flags.data_dir;
    config.log_level = flags.log_level;
    auto timeouts = parse_millis_range(flags.election_timeout);
    if (!timeouts) throw CLI::ValidationError("--election-timeout-ms", timeouts.error().message);
    config.election_timeout_min = timeouts.value().first;
    config.election_timeout_max = timeouts.value().second;
    config.heartbeat_interval = ms(static_cast<std::int64_t>(flags.heartbeat_ms));
    config.commit_timeout = ms(static_cast<std::int64_t>(flags.commit_timeout_ms));
    config.http_header_timeout = ms(static_cast<std::int64_t>(flags.http_header_timeout_ms));
    config.cluster_name = flags.cluster_name;
    config.storage_writes_inflight_max = flags.storage_writes_inflight_max;
    config.entries_bytes_per_append_max = flags.entries_bytes_per_append_max;
    config.inflight_appends_max = flags.inflight_appends_max;
    // Everything else is checked before the secret, so that a bad command line creates no
    // file. Without --cluster-secret-file, nodes started from one directory share
    // ./cluster.secret, created on first use.
    config.secret = "unchecked";
    if (const auto problem = validate(config)) throw CLI::ValidationError("configuration", *problem);
    const bool explicit_secret = !flags.secret_file.empty();
    config.secret_file = explicit_secret ? flags.secret_file : "cluster.secret";
    auto secret = load_secret(config.secret_file, !explicit_secret);
    if (!secret) throw CLI::ValidationError("--cluster-secret-file", secret.error().message);
    config.secret = secret.value();
    return config;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"raftlink node: one replica of a Raft-replicated URL shortener"};
    Flags flags;
    app.set_config("--config", "", "Read these options from a TOML file (same names)");
    app.add_option("--id", flags.id, "This node's id (or NODE_ID)")->check(CLI::Range(1, 9));
    app.add_option("--members", flags.members,
                   "Every member as ID=RAFT_HOST:PORT/HTTP_HOST:PORT, comma-separated "
                   "(or CLUSTER_SIZE and USE_PORTS_FROM)");
    app.add_option("--data-dir", flags.data_dir, "Directory for the WAL and hard state "
                                                 "(default data/node-ID)");
    app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--election-timeout-ms", flags.election_timeout,
                   "Election timeout range MIN-MAX in ms (default 150-300)");
    app.add_option("--heartbeat-ms", flags.heartbeat_ms, "Leader heartbeat interval in ms (default 50)")
        ->check(CLI::Range(1, 60'000));
    app.add_option("--commit-timeout-ms", flags.commit_timeout_ms,
                   "How long a create waits for its commit before 408 (default 5000)")
        ->check(CLI::Range(1, 600'000));
    app.add_option("--http-header-timeout-ms", flags.http_header_timeout_ms,
                   "Close a connection whose request header is not complete by then (default 10000)")
        ->check(CLI::Range(1, 600'000));
    app.add_option("--cluster-secret-file", flags.secret_file,
                   "File holding the secret every member shares (default ./cluster.secret, "
                   "created if missing)");
    app.add_option("--cluster-name", flags.cluster_name,
                   "Keys the short ids; the same on every member, never changed (default raftlink)");
    // The ranges are checked in validate(), which names the limit each one comes from.
    app.add_option("--storage-writes-inflight-max", flags.storage_writes_inflight_max,
                   "Storage writes handed out before the first is durable (default 64)");
    app.add_option("--entries-bytes-per-append-max", flags.entries_bytes_per_append_max,
                   "Bytes of entry data in one AppendEntries (default 1048576)");
    app.add_option("--inflight-appends-max", flags.inflight_appends_max,
                   "AppendEntries with entries in flight per follower (default 8)");
    NodeConfig config;
    try {
        app.parse(argc, argv);
        config = build_config(flags);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : exit_usage;
    }
    if (!real::setup_logging(config.id, config.log_level)) {
        std::cerr << "node: unknown --log-level " << config.log_level << "\n";
        return exit_usage;
    }
    NodeRuntime runtime(std::move(config));
    return runtime.run();
}
