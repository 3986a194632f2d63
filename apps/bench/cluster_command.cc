// SPDX-License-Identifier: MIT
#include "apps/bench/cluster_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "apps/bench/cli_common.h"
#include "apps/bench/cluster_report.h"
#include "apps/bench/interrupt.h"
#include "apps/bench/json_report.h"
#include "apps/bench/svg_plot.h"

namespace raftlink::bench {
namespace {

/// The node built next to bench: build/apps/bench/bench -> build/apps/node/node.
std::string default_node_binary(const std::string& program) {
    std::error_code error;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) self = program;
    return (self.parent_path().parent_path() / "node" / "node").string();
}

void print(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
}

ProfileOptions profile_options(const ClusterArguments& arguments) {
    ProfileOptions options;
    options.phase_duration = parse_checked_duration(arguments.duration);
    options.write_rate_low = arguments.write_rate_low;
    options.write_rate_high = arguments.write_rate_high;
    options.read_rate = arguments.read_rate;
    options.closed_connections = arguments.connections;
    options.failover_runs = arguments.failover_runs;
    options.fill = arguments.fill;
    options.request_timeout = parse_checked_duration(arguments.timeout);
    options.leader_deadline = parse_checked_duration(arguments.leader_deadline);
    options.threads = arguments.threads;
    options.progress = parse_progress_mode(arguments.progress, arguments.quiet);
    return options;
}

ClusterOptions cluster_options(const ClusterArguments& arguments, std::vector<pid_t>& started) {
    ClusterOptions options;
    options.nodes = arguments.nodes;
    options.node_binary = arguments.node_binary.empty() ? default_node_binary(arguments.program)
                                                        : arguments.node_binary;
    if (!arguments.election_timeout_ms.empty()) {
        options.node_arguments.insert(options.node_arguments.end(),
                                      {"--election-timeout-ms", arguments.election_timeout_ms});
    }
    if (!arguments.heartbeat_ms.empty()) {
        options.node_arguments.insert(options.node_arguments.end(),
                                      {"--heartbeat-ms", arguments.heartbeat_ms});
    }
    options.log_level = arguments.node_log_level;
    options.parent_directory = arguments.work_dir;
    options.keep = arguments.keep;
    options.on_node_started = [&started](unsigned id, pid_t pid) {
        started.push_back(pid);
        print(fmt::format("started node {}: pid {}\n", id, pid));
    };
    return options;
}

ProfileListener listener_for(const ClusterArguments& arguments) {
    ProfileListener listener;
    listener.on_note = [](const std::string& line) { print(line + "\n"); };
    listener.on_phase = [&arguments](const PhaseResult& phase) {
        print("\n" + format_phase(phase) + "\n");
        if (arguments.svg_dir.empty()) return;
        const std::string path = arguments.svg_dir + "/" + phase.key + ".svg";
        if (!write_text_file(
                path, render_svg(phase.run.description, phase.run.metrics, phase.run.record))) {
            std::fprintf(stderr, "bench: cannot write %s\n", path.c_str());
        }
    };
    listener.on_fill = [](const FillResult& fill, bool restarted) {
        print(format_fill(fill, restarted));
    };
    listener.on_failover = [](const FailoverRun& run, unsigned index, unsigned runs) {
        print(format_failover(run, index, runs));
    };
    return listener;
}

/// Runs the profile on a cluster that lives in this scope: its nodes are stopped when the
/// scope ends, whichever way it ends.
ClusterReport run_owned_cluster(const ClusterArguments& arguments, std::vector<pid_t>& started) {
    ClusterOptions options = cluster_options(arguments, started);
    const std::vector<std::string> node_arguments = options.node_arguments;
    LocalCluster cluster(std::move(options));
    print(fmt::format("cluster: {} nodes, data and logs in {}{}\n", cluster.size(),
                      cluster.directory(), arguments.keep ? " (kept)" : ""));
    for (unsigned id = 1; id <= cluster.size(); ++id) {
        print(fmt::format("  node {}: {}\n", id, cluster.http_endpoint(id).url()));
    }
    ClusterReport report =
        run_cluster_profile(cluster, profile_options(arguments), listener_for(arguments));
    report.node_arguments = node_arguments;
    print("\nstopping the nodes\n");
    return report;
}

}  // namespace

int command_cluster(const ClusterArguments& arguments) {
    if (!arguments.svg_dir.empty()) {
        std::error_code error;
        std::filesystem::create_directories(arguments.svg_dir, error);
    }
    std::vector<pid_t> started;
    ClusterReport report;
    int code = exit_ok;
    try {
        report = run_owned_cluster(arguments, started);
    } catch (const Interrupted&) {
        std::fputs("\nbench: interrupted; stopped every node\n", stderr);
        code = exit_interrupted;
    } catch (const std::runtime_error& error) {
        std::fprintf(stderr, "\nbench: %s\n", error.what());
        code = exit_failure;
    }
    // The cluster is gone by now: every pid below has been stopped and reaped.
    print(fmt::format("stopped nodes: pids {}\n", fmt::join(started, " ")));
    if (code != exit_ok) return code;
    print("\n" + format_summary_markdown(report));
    if (!arguments.json_file.empty() &&
        !write_text_file(arguments.json_file, cluster_json(report))) {
        std::fprintf(stderr, "bench: cannot write %s\n", arguments.json_file.c_str());
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace raftlink::bench
