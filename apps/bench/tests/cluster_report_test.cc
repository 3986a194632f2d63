// SPDX-License-Identifier: MIT
// The cluster summary: the seed's figures from the right phases, with caveats where the
// figures are doubtful, and failover min/max.
#include "apps/bench/cluster_report.h"

#include <doctest/doctest.h>

using namespace raftlink::bench;

namespace {

PhaseResult phase(const std::string& key, DurationNs p50, DurationNs p99, double throughput) {
    PhaseResult result;
    result.key = key;
    result.run.metrics.requests = 100;
    result.run.metrics.successes = 100;
    result.run.metrics.success_ratio = 1;
    result.run.metrics.latencies.p50 = p50;
    result.run.metrics.latencies.p99 = p99;
    result.run.metrics.throughput = throughput;
    result.leader_before = result.leader_after = 1;
    result.term_before = result.term_after = 2;
    return result;
}

ClusterReport sample_report() {
    ClusterReport report;
    report.phases = {phase("write-100", millisecond, 3 * millisecond, 100),
                     phase("write-1000", 2 * millisecond, 9 * millisecond, 1000),
                     phase("read-follower-1000", 100 * microsecond, 400 * microsecond, 1000),
                     phase("write-max", 4 * millisecond, 20 * millisecond, 12345.6)};
    FailoverRun fast;
    fast.time_to_first_create = 180 * millisecond;
    FailoverRun slow;
    slow.time_to_first_create = 320 * millisecond;
    report.failovers = {slow, fast};
    report.memory_at_end = {{1, 100, 2048}, {2, 101, std::nullopt}};
    return report;
}

}  // namespace

TEST_CASE("cluster_report: the summary takes each figure from its phase") {
    const std::string summary = format_summary_markdown(sample_report());
    CHECK(summary.rfind("| metric | value |\n| --- | --- |\n", 0) == 0);
    CHECK(summary.find("| write p50 at 1000/s | 2ms |\n") != std::string::npos);
    CHECK(summary.find("| write p99 at 1000/s | 9ms |\n") != std::string::npos);
    CHECK(summary.find("| write p99 at 100/s | 3ms |\n") != std::string::npos);
    CHECK(summary.find("| max writes/s (closed loop, 64 connections) | 12346 |\n") !=
          std::string::npos);
    CHECK(summary.find("| follower read p99 at 1000/s | 400\u00b5s |\n") != std::string::npos);
    CHECK(summary.find("| failover (leader SIGKILL to next 201) | 320ms, 180ms (min 180ms, max "
                       "320ms) |\n") != std::string::npos);
    CHECK(summary.find("| RSS per node at the end | 1: 2.0 MiB, 2: unknown |\n") !=
          std::string::npos);
}

TEST_CASE("cluster_report: doubtful figures carry their caveats") {
    ClusterReport report = sample_report();
    PhaseResult& writes = report.phases[1];
    writes.run.metrics.successes = 80;
    writes.run.metrics.success_ratio = 0.8;
    writes.term_after = 3;
    writes.run.metrics.late_launches = 4;
    const std::string summary = format_summary_markdown(report);
    CHECK(summary.find("| write p99 at 1000/s | 9ms (80.00% success; leader changed; 4 late "
                       "launches) |\n") != std::string::npos);
    report.failovers.clear();
    CHECK(format_summary_markdown(report).find("| failover (leader SIGKILL to next 201) | not "
                                               "measured |") != std::string::npos);
}

TEST_CASE("cluster_report: a phase's header, table and leader change") {
    PhaseResult result = phase("write-100", millisecond, 3 * millisecond, 100);
    result.title = "write: creates on the leader (node 1) at 100/s for 1s";
    result.run.description.mode = LoopMode::Open;
    result.run.metrics.status_codes = {{"201", 100}};
    result.term_after = 3;
    result.leader_after = 2;
    const std::string text = format_phase(result);
    CHECK(text.rfind("=== write: creates on the leader (node 1) at 100/s for 1s ===\n"
                     "Requests      [total, rate, throughput]         100, ",
                     0) == 0);
    CHECK(text.find("Late launches: 0 of 100") != std::string::npos);
    CHECK(text.find("Leader changed during the phase: node 1 in term 2 before, node 2 in term 3 "
                    "after\n") != std::string::npos);
}
