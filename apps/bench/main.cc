// SPDX-License-Identifier: MIT
// bench: load and benchmarks for raftlink nodes (apps/bench/README.md).
//
//   bench attack --url http://127.0.0.1:8001 --rate 1000 --duration 30s [--target read ...]
//       an open-loop (constant rate) or closed-loop (--mode closed --connections N) run
//       against one node; prints vegeta's text report, optionally JSON and an SVG plot
//   bench cluster --nodes 3 [--node-binary PATH] [--duration 10s] [--fill 1000000]
//       starts a local cluster and runs the seed's benchmark profile against it
//
// Exit codes: 0 done; 1 the run could not be done; 2 a bad command line; 130 Ctrl-C.
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include "apps/bench/attack_command.h"
#include "apps/bench/cli_common.h"
#include "apps/bench/cluster_command.h"
#include "apps/bench/interrupt.h"

namespace {

using namespace raftlink::bench;

/// Every open connection is a file descriptor, and --max-connections defaults to 1024, the
/// usual soft limit; raise the soft limit to the hard one so that the bound is ours.
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

void add_progress_options(CLI::App* command, std::string& progress, bool& quiet) {
    command
        ->add_option("--progress", progress,
                     "Progress line on stderr: auto (only on a terminal), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    command->add_flag("--quiet,-q", quiet, "No progress line (same as --progress never)");
}

void add_attack_options(CLI::App* attack, AttackArguments& a) {
    attack->add_option("--url", a.url,
                       "The node to load, http://HOST:PORT (default " + a.url + ")");
    attack->add_option("--target", a.target, "create (POST /) or read (GET /ID)")
        ->check(CLI::IsMember({"create", "read"}));
    attack->add_option(
        "--body", a.body_template,
        "Create body; {seq} becomes the request's number (default " + a.body_template + ")");
    attack->add_option("--seq-start", a.sequence_first, "The {seq} of the first create (1)");
    attack->add_option("--path", a.create_path,
                       "Create target: the path to POST to (/; e.g. /v3/kv/put for etcd)");
    attack->add_option("--ids", a.ids_file, "Read target: a file of short ids, one per line");
    attack->add_option("--prefill", a.prefill,
                       "Read target: first create N URLs on the leader and read their ids");
    attack->add_option("--save-ids", a.save_ids_file,
                       "Create target: write the ids of acknowledged creates to FILE");
    attack->add_option("--mode", a.mode, "open (constant rate) or closed (N connections)")
        ->check(CLI::IsMember({"open", "closed"}));
    attack->add_option("--rate", a.rate, "Open loop: requests per second (50)");
    attack->add_option("--duration", a.duration, "How long to send (30s; Go syntax or seconds)")
        ->check(duration_validator());
    attack->add_option("--requests", a.requests_max, "Send at most N requests (0: no bound)");
    attack->add_option("--connections", a.connections, "Closed loop: connections (64)")
        ->check(CLI::Range(1u, 100000u));
    attack
        ->add_option("--max-connections", a.connections_max,
                     "Open loop: most connections open at once (1024)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    attack->add_option("--threads", a.threads, "Generator threads, each with an io_context (1)")
        ->check(CLI::Range(1u, 64u));
    attack->add_option("--timeout", a.timeout, "Per request: connect, send, answer (30s)")
        ->check(duration_validator());
    attack->add_option("--json", a.json_file, "Write the figures as JSON to FILE");
    attack->add_flag("--json-results", a.json_results, "Include every request in the JSON");
    attack->add_option("--svg", a.svg_file, "Write latency plots as SVG to FILE");
    attack
        ->add_option("--latency-from", a.latency_from,
                     "Measure latency from the actual send (sent, as vegeta) or the "
                     "scheduled send (scheduled)")
        ->check(CLI::IsMember({"sent", "scheduled"}));
    add_progress_options(attack, a.progress, a.quiet);
}

void add_cluster_options(CLI::App* cluster, ClusterArguments& a) {
    cluster->add_option("--nodes", a.nodes, "Nodes to start, 1 to 9 (3)")
        ->check(CLI::Range(1u, 9u));
    cluster->add_option("--node-binary", a.node_binary,
                        "The node executable (default: ../node/node next to bench)");
    cluster->add_option("--duration", a.duration, "Length of each load phase (10s)")
        ->check(duration_validator());
    cluster->add_option("--write-rate-low", a.write_rate_low, "First write phase, per s (100)");
    cluster->add_option("--write-rate-high", a.write_rate_high, "Second write phase, per s (1000)");
    cluster->add_option("--read-rate", a.read_rate, "Follower read phase, per s (1000)");
    cluster->add_option("--connections", a.connections, "Maximum-write phase connections (64)")
        ->check(CLI::Range(1u, 100000u));
    cluster->add_option("--failover-runs", a.failover_runs, "Leader kills to time (3)");
    cluster->add_option("--fill", a.fill,
                        "Create N URLs, report RSS and a follower's restart time (0: skip)");
    cluster->add_option("--timeout", a.timeout, "Per request (10s)")->check(duration_validator());
    cluster
        ->add_option("--leader-deadline", a.leader_deadline,
                     "Longest wait for a leader, a catch-up or a failover (20s)")
        ->check(duration_validator());
    cluster->add_option("--election-timeout-ms", a.election_timeout_ms,
                        "Passed to every node, e.g. 150-300");
    cluster->add_option("--heartbeat-ms", a.heartbeat_ms, "Passed to every node, e.g. 50");
    cluster->add_option("--node-log-level", a.node_log_level, "The nodes' --log-level (warn)");
    cluster->add_option("--work-dir", a.work_dir,
                        "Where the temporary cluster directory is made (system temp dir)");
    cluster->add_flag("--keep", a.keep, "Keep the data directories and logs");
    cluster->add_option("--json", a.json_file, "Write the whole report as JSON to FILE");
    cluster->add_option("--svg-dir", a.svg_dir, "Write one SVG per load phase into DIR");
    cluster->add_option("--threads", a.threads, "Generator threads (1)")
        ->check(CLI::Range(1u, 64u));
    add_progress_options(cluster, a.progress, a.quiet);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"raftlink bench: load generator and cluster benchmark"};
    app.require_subcommand(1);
    AttackArguments attack_arguments;
    CLI::App* attack = app.add_subcommand("attack", "Load one node, open or closed loop");
    add_attack_options(attack, attack_arguments);
    ClusterArguments cluster_arguments;
    cluster_arguments.program = argv[0];
    CLI::App* cluster =
        app.add_subcommand("cluster", "Start a local cluster and run the benchmark profile");
    add_cluster_options(cluster, cluster_arguments);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? exit_ok : exit_usage;
    }
    install_interrupt_handlers();
    raise_open_file_limit();
    if (*attack) return command_attack(attack_arguments);
    return command_cluster(cluster_arguments);
}
