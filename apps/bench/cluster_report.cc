// SPDX-License-Identifier: MIT
#include "apps/bench/cluster_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "apps/bench/json_report.h"
#include "apps/bench/vegeta_format.h"

namespace raftlink::bench {
namespace {

const PhaseResult* find_phase(const ClusterReport& report, const std::string& key) {
    for (const PhaseResult& phase : report.phases) {
        if (phase.key == key) return &phase;
    }
    return nullptr;
}

std::string mebibytes(std::optional<std::uint64_t> kib) {
    return kib ? fmt::format("{:.1f} MiB", static_cast<double>(*kib) / 1024) : "unknown";
}

/// What makes a phase's figures doubtful: failed requests (their latencies are in the
/// percentiles, as in vegeta) and elections during the phase. Empty when there is neither.
std::string phase_caveats(const PhaseResult& phase) {
    std::vector<std::string> caveats;
    if (phase.run.metrics.successes < phase.run.metrics.requests) {
        caveats.push_back(fmt::format("{:.2f}% success", phase.run.metrics.success_ratio * 100));
    }
    if (phase.term_before != phase.term_after || phase.leader_before != phase.leader_after) {
        caveats.push_back("leader changed");
    }
    if (phase.run.metrics.late_launches > 0) {
        caveats.push_back(fmt::format("{} late launches", phase.run.metrics.late_launches));
    }
    return caveats.empty() ? "" : fmt::format(" ({})", fmt::join(caveats, "; "));
}

/// A latency figure of a phase with its caveats, or "n/a" when the phase did not run.
std::string phase_figure(const ClusterReport& report, const std::string& key,
                         DurationNs LatencyFigures::*figure) {
    const PhaseResult* phase = find_phase(report, key);
    if (phase == nullptr || phase->run.metrics.requests == 0) return "n/a";
    return format_vegeta_duration(phase->run.metrics.latencies.*figure) + phase_caveats(*phase);
}

std::string failover_summary(const std::vector<FailoverRun>& runs) {
    if (runs.empty()) return "not measured";
    std::vector<std::string> each;
    DurationNs low = runs.front().time_to_first_create;
    DurationNs high = low;
    for (const FailoverRun& run : runs) {
        each.push_back(format_vegeta_duration(run.time_to_first_create));
        low = std::min(low, run.time_to_first_create);
        high = std::max(high, run.time_to_first_create);
    }
    return fmt::format("{} (min {}, max {})", fmt::join(each, ", "), format_vegeta_duration(low),
                       format_vegeta_duration(high));
}

std::string failures_summary(const ClusterReport& report) {
    std::vector<std::string> parts;
    for (const PhaseResult& phase : report.phases) {
        const RunMetrics& metrics = phase.run.metrics;
        parts.push_back(fmt::format("{}: {} of {}", phase.key, metrics.requests - metrics.successes,
                                    metrics.requests));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

void write_memory_json(JsonWriter& writer, const char* key, const std::vector<NodeMemory>& memory) {
    writer.Key(key);
    writer.StartArray();
    for (const NodeMemory& node : memory) {
        writer.StartObject();
        writer.Key("node");
        writer.Uint(node.node);
        writer.Key("pid");
        writer.Int(node.pid);
        writer.Key("rss_kib");
        if (node.resident_set_kib) {
            writer.Uint64(*node.resident_set_kib);
        } else {
            writer.Null();
        }
        writer.EndObject();
    }
    writer.EndArray();
}

void write_phase_json(JsonWriter& writer, const PhaseResult& phase) {
    writer.StartObject();
    writer.Key("key");
    writer.String(phase.key.c_str());
    writer.Key("title");
    writer.String(phase.title.c_str());
    writer.Key("node");
    writer.Uint(phase.node);
    const std::pair<const char*, std::uint64_t> leadership[] = {
        {"leader_before", phase.leader_before},
        {"term_before", phase.term_before},
        {"leader_after", phase.leader_after},
        {"term_after", phase.term_after}};
    for (const auto& [key, value] : leadership) {
        writer.Key(key);
        writer.Uint64(value);
    }
    writer.Key("run");
    write_run_json(writer, phase.run.description, phase.run.metrics, phase.run.record, false);
    writer.EndObject();
}

void write_fill_json(JsonWriter& writer, const FillResult& fill) {
    writer.Key("fill");
    writer.StartObject();
    writer.Key("phase");
    write_phase_json(writer, fill.phase);
    writer.Key("commit_index");
    writer.Uint64(fill.commit_index);
    writer.Key("urls");
    writer.Uint64(fill.urls);
    write_memory_json(writer, "memory", fill.memory);
    writer.Key("restarted_node");
    writer.Uint(fill.restarted_node);
    writer.Key("stop_time");
    writer.Int64(fill.stop_time);
    writer.Key("healthy_time");
    writer.Int64(fill.healthy_time);
    writer.Key("caught_up_time");
    writer.Int64(fill.caught_up_time);
    writer.EndObject();
}

void write_failovers_json(JsonWriter& writer, const std::vector<FailoverRun>& runs) {
    writer.Key("failovers");
    writer.StartArray();
    for (const FailoverRun& run : runs) {
        writer.StartObject();
        writer.Key("killed_node");
        writer.Uint(run.killed_node);
        writer.Key("killed_pid");
        writer.Int(run.killed_pid);
        writer.Key("time_to_first_create");
        writer.Int64(run.time_to_first_create);
        writer.Key("new_leader");
        writer.Uint(run.new_leader);
        writer.Key("attempts");
        writer.Uint64(run.attempts);
        writer.EndObject();
    }
    writer.EndArray();
}

}  // namespace

std::string format_phase(const PhaseResult& phase) {
    std::string out = "=== " + phase.title + " ===\n" + format_vegeta_text(phase.run.metrics);
    if (phase.run.description.mode == LoopMode::Open)
        out += format_late_launches(phase.run.metrics);
    if (phase.term_before != phase.term_after || phase.leader_before != phase.leader_after) {
        out += fmt::format(
            "Leader changed during the phase: node {} in term {} before, node {} in "
            "term {} after\n",
            phase.leader_before, phase.term_before, phase.leader_after, phase.term_after);
    }
    return out;
}

std::string format_failover(const FailoverRun& run, unsigned index, unsigned runs) {
    return fmt::format(
        "failover {}/{}: killed leader node {} (pid {}); node {} answered 201 after {} ({} "
        "attempts)\n",
        index, runs, run.killed_node, run.killed_pid, run.new_leader,
        format_vegeta_duration(run.time_to_first_create), run.attempts);
}

std::string format_fill(const FillResult& fill, bool restarted) {
    if (!restarted) {
        return fmt::format("fill: RSS with {} URLs stored (log index {}): {}\n", fill.urls,
                           fill.commit_index, format_memory(fill.memory));
    }
    return fmt::format(
        "fill: restart of node {}: stopped in {}, /healthz after {}, caught up after {}, "
        "RSS {}\n",
        fill.restarted_node, format_vegeta_duration(fill.stop_time),
        format_vegeta_duration(fill.healthy_time), format_vegeta_duration(fill.caught_up_time),
        mebibytes(fill.resident_set_kib_after_restart));
}

std::string format_memory(const std::vector<NodeMemory>& memory) {
    std::vector<std::string> parts;
    for (const NodeMemory& node : memory) {
        parts.push_back(fmt::format("{}: {}", node.node, mebibytes(node.resident_set_kib)));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

std::string format_summary_markdown(const ClusterReport& report) {
    const ProfileOptions& options = report.options;
    const std::string high = fmt::format("write-{:g}", options.write_rate_high);
    const std::string low = fmt::format("write-{:g}", options.write_rate_low);
    const std::string read = fmt::format("read-follower-{:g}", options.read_rate);
    const PhaseResult* max = find_phase(report, "write-max");
    std::vector<std::pair<std::string, std::string>> rows = {
        {fmt::format("write p50 at {:g}/s", options.write_rate_high),
         phase_figure(report, high, &LatencyFigures::p50)},
        {fmt::format("write p99 at {:g}/s", options.write_rate_high),
         phase_figure(report, high, &LatencyFigures::p99)},
        {fmt::format("write p99 at {:g}/s", options.write_rate_low),
         phase_figure(report, low, &LatencyFigures::p99)},
        {fmt::format("max writes/s (closed loop, {} connections)", options.closed_connections),
         max ? fmt::format("{:.0f}{}", max->run.metrics.throughput, phase_caveats(*max)) : "n/a"},
        {fmt::format("follower read p99 at {:g}/s", options.read_rate),
         phase_figure(report, read, &LatencyFigures::p99)},
        {"failover (leader SIGKILL to next 201)", failover_summary(report.failovers)},
        {"RSS per node after the load phases", format_memory(report.memory_after_load)},
        {"RSS per node at the end", format_memory(report.memory_at_end)},
        {"failed requests per phase", failures_summary(report)},
    };
    if (report.fill) {
        const FillResult& fill = *report.fill;
        rows.emplace_back(fmt::format("RSS per node with {} URLs", fill.urls),
                          format_memory(fill.memory));
        rows.emplace_back(
            fmt::format("restart of node {}: /healthz, caught up", fill.restarted_node),
            fmt::format("{}, {}", format_vegeta_duration(fill.healthy_time),
                        format_vegeta_duration(fill.caught_up_time)));
    }
    std::string out = "| metric | value |\n| --- | --- |\n";
    for (const auto& [name, value] : rows) out += "| " + name + " | " + value + " |\n";
    return out;
}

std::string cluster_json(const ClusterReport& report) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    writer.SetIndent(' ', 2);
    writer.StartObject();
    writer.Key("nodes");
    writer.Uint(report.nodes);
    writer.Key("node_arguments");
    writer.StartArray();
    for (const std::string& argument : report.node_arguments) writer.String(argument.c_str());
    writer.EndArray();
    writer.Key("phase_duration");
    writer.Int64(report.options.phase_duration);
    writer.Key("phases");
    writer.StartArray();
    for (const PhaseResult& phase : report.phases) write_phase_json(writer, phase);
    writer.EndArray();
    if (report.fill) write_fill_json(writer, *report.fill);
    write_failovers_json(writer, report.failovers);
    write_memory_json(writer, "memory_after_load", report.memory_after_load);
    write_memory_json(writer, "memory_at_end", report.memory_at_end);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace raftlink::bench
