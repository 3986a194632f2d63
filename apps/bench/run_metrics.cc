// SPDX-License-Identifier: MIT
#include "apps/bench/run_metrics.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/assert.h"

namespace raftlink::bench {
namespace {

LatencyFigures latency_figures(const std::vector<DurationNs>& sorted) {
    LatencyFigures figures;
    if (sorted.empty()) return figures;
    for (const DurationNs latency : sorted) figures.total += latency;
    // vegeta: time.Duration(float64(total) / float64(requests)), truncated toward zero.
    figures.mean = static_cast<DurationNs>(static_cast<double>(figures.total) /
                                           static_cast<double>(sorted.size()));
    figures.min = sorted.front();
    figures.max = sorted.back();
    figures.p50 = nearest_rank_percentile(sorted, 5000);
    figures.p90 = nearest_rank_percentile(sorted, 9000);
    figures.p95 = nearest_rank_percentile(sorted, 9500);
    figures.p99 = nearest_rank_percentile(sorted, 9900);
    return figures;
}

void count_outcomes(const RunRecord& record, RunMetrics& metrics) {
    std::map<std::string, std::uint64_t> codes;
    std::set<std::string> seen_errors;
    for (const RequestResult& result : record.results) {
        ++codes[std::to_string(result.status_code)];
        if (is_success(result.status_code)) ++metrics.successes;
        metrics.bytes_in_total += result.bytes_in;
        metrics.bytes_out_total += result.bytes_out;
        if (!result.error.empty() && seen_errors.insert(result.error).second) {
            metrics.errors.push_back(result.error);
        }
    }
    metrics.status_codes.assign(codes.begin(), codes.end());
}

void measure_span(const RunRecord& record, RunMetrics& metrics) {
    metrics.earliest = record.results.front().sent_ns;
    for (const RequestResult& result : record.results) {
        ASSERT_GE(result.done_ns, result.sent_ns);
        metrics.earliest = std::min(metrics.earliest, result.sent_ns);
        metrics.latest = std::max(metrics.latest, result.sent_ns);
        metrics.end = std::max(metrics.end, result.done_ns);
    }
    metrics.attack = metrics.latest - metrics.earliest;
    metrics.wait = metrics.end - metrics.latest;
}

}  // namespace

DurationNs nearest_rank_percentile(const std::vector<DurationNs>& sorted,
                                   std::uint32_t basis_points) {
    ASSERT(!sorted.empty());
    ASSERT_LE(basis_points, 10000u);
    // rank = ceil(n * p), computed in integers so that 99% of 100 is exactly rank 99.
    const std::uint64_t count = sorted.size();
    std::uint64_t rank = (count * basis_points + 9999) / 10000;
    if (rank == 0) rank = 1;
    return sorted[rank - 1];
}

std::vector<DurationNs> sorted_latencies(const RunRecord& record, LatencyOrigin origin) {
    std::vector<DurationNs> latencies;
    latencies.reserve(record.results.size());
    for (const RequestResult& result : record.results) {
        latencies.push_back(latency_of(result, origin));
    }
    std::sort(latencies.begin(), latencies.end());
    return latencies;
}

RunMetrics summarize(const RunRecord& record, LatencyOrigin origin) {
    RunMetrics metrics;
    metrics.late_launches = record.late_launches;
    metrics.lateness_max = record.lateness_max;
    if (record.results.empty()) return metrics;
    metrics.requests = record.results.size();
    count_outcomes(record, metrics);
    measure_span(record, metrics);
    metrics.latencies = latency_figures(sorted_latencies(record, origin));
    const auto requests = static_cast<double>(metrics.requests);
    if (metrics.attack > 0) {
        metrics.rate = requests / to_seconds(metrics.attack);
        metrics.throughput =
            static_cast<double>(metrics.successes) / to_seconds(metrics.attack + metrics.wait);
    }
    metrics.bytes_in_mean = static_cast<double>(metrics.bytes_in_total) / requests;
    metrics.bytes_out_mean = static_cast<double>(metrics.bytes_out_total) / requests;
    metrics.success_ratio = static_cast<double>(metrics.successes) / requests;
    return metrics;
}

}  // namespace raftlink::bench
