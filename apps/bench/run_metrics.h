// SPDX-License-Identifier: MIT
// The figures of one run, computed the way vegeta's Metrics.Close computes them, except that
// percentiles are exact: every latency is kept and sorted (vegeta estimates them with a
// t-digest). Pure functions of a RunRecord.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "apps/bench/request_result.h"

namespace raftlink::bench {

struct LatencyFigures {
    DurationNs total = 0;
    DurationNs mean = 0;
    DurationNs min = 0;
    DurationNs p50 = 0;
    DurationNs p90 = 0;
    DurationNs p95 = 0;
    DurationNs p99 = 0;
    DurationNs max = 0;
};

struct RunMetrics {
    std::uint64_t requests = 0;
    std::uint64_t successes = 0;
    /// requests / attack, in requests per second (0 when attack is 0).
    double rate = 0;
    /// successes / (attack + wait), per second (0 when attack is 0), as vegeta.
    double throughput = 0;
    /// Send times of the first and the last request, and the last answer, since the run's start.
    DurationNs earliest = 0;
    DurationNs latest = 0;
    DurationNs end = 0;
    /// attack = latest - earliest; wait = end - latest; vegeta's total is their sum.
    DurationNs attack = 0;
    DurationNs wait = 0;
    LatencyFigures latencies;
    std::uint64_t bytes_in_total = 0;
    double bytes_in_mean = 0;
    std::uint64_t bytes_out_total = 0;
    double bytes_out_mean = 0;
    /// successes / requests, from 0 to 1.
    double success_ratio = 0;
    /// Status codes and their counts, ordered as strings ("0" < "201" < "503"), as vegeta.
    std::vector<std::pair<std::string, std::uint64_t>> status_codes;
    /// Distinct error texts in the order they first occurred.
    std::vector<std::string> errors;
    std::uint64_t late_launches = 0;
    DurationNs lateness_max = 0;
};

/// The nearest-rank percentile of sorted values: the smallest value with at least
/// basis_points / 10000 of all values at or below it. sorted must be non-empty and ascending;
/// basis_points is in [0, 10000] (9900 is the 99th percentile).
DurationNs nearest_rank_percentile(const std::vector<DurationNs>& sorted,
                                   std::uint32_t basis_points);

/// The latencies of record's results, measured from origin, sorted ascending.
std::vector<DurationNs> sorted_latencies(const RunRecord& record, LatencyOrigin origin);

/// All figures of a run. An empty record gives zeros everywhere.
RunMetrics summarize(const RunRecord& record, LatencyOrigin origin);

}  // namespace raftlink::bench
