// SPDX-License-Identifier: MIT
// Exact percentiles and vegeta's figures from a hand-made record.
#include "apps/bench/run_metrics.h"

#include <doctest/doctest.h>

using namespace raftlink::bench;

namespace {

RequestResult result(std::uint64_t sequence, DurationNs sent, DurationNs latency,
                     std::uint16_t code, std::string error = {}) {
    RequestResult r;
    r.sequence = sequence;
    r.scheduled_ns = sent;
    r.sent_ns = sent;
    r.done_ns = sent + latency;
    r.status_code = code;
    r.bytes_in = 100;
    r.bytes_out = 40;
    r.error = std::move(error);
    return r;
}

}  // namespace

TEST_CASE("run_metrics: nearest-rank percentiles are values that occurred") {
    std::vector<DurationNs> values;
    for (DurationNs v = 1; v <= 100; ++v) values.push_back(v);
    CHECK(nearest_rank_percentile(values, 5000) == 50);
    CHECK(nearest_rank_percentile(values, 9000) == 90);
    CHECK(nearest_rank_percentile(values, 9900) == 99);
    CHECK(nearest_rank_percentile(values, 10000) == 100);
    CHECK(nearest_rank_percentile(values, 0) == 1);
    // Ten values: the 99th percentile is the largest, the median the fifth.
    const std::vector<DurationNs> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(nearest_rank_percentile(ten, 9900) == 10);
    CHECK(nearest_rank_percentile(ten, 5000) == 5);
    CHECK(nearest_rank_percentile(ten, 9500) == 10);
    const std::vector<DurationNs> one = {42};
    CHECK(nearest_rank_percentile(one, 5000) == 42);
    CHECK(nearest_rank_percentile(one, 9900) == 42);
}

TEST_CASE("run_metrics: rate, throughput, duration and codes as vegeta computes them") {
    RunRecord record;
    // Four requests 10ms apart; the last is a 503 answered 20ms after its send.
    record.results = {
        result(0, 0, 5 * millisecond, 201), result(1, 10 * millisecond, 7 * millisecond, 201),
        result(2, 20 * millisecond, 3 * millisecond, 201),
        result(3, 30 * millisecond, 20 * millisecond, 503, "503 Service Unavailable")};
    record.late_launches = 1;
    const RunMetrics metrics = summarize(record, LatencyOrigin::Sent);
    CHECK(metrics.requests == 4);
    CHECK(metrics.successes == 3);
    CHECK(metrics.attack == 30 * millisecond);
    CHECK(metrics.wait == 20 * millisecond);
    CHECK(metrics.rate == doctest::Approx(4 / 0.030));
    CHECK(metrics.throughput == doctest::Approx(3 / 0.050));
    CHECK(metrics.success_ratio == doctest::Approx(0.75));
    CHECK(metrics.latencies.min == 3 * millisecond);
    CHECK(metrics.latencies.max == 20 * millisecond);
    CHECK(metrics.latencies.mean == 35 * millisecond / 4);
    CHECK(metrics.latencies.p50 == 5 * millisecond);
    CHECK(metrics.latencies.p99 == 20 * millisecond);
    CHECK(metrics.bytes_in_total == 400);
    CHECK(metrics.bytes_out_mean == doctest::Approx(40));
    REQUIRE(metrics.status_codes.size() == 2);
    CHECK(metrics.status_codes[0] == std::pair<std::string, std::uint64_t>{"201", 3});
    CHECK(metrics.status_codes[1] == std::pair<std::string, std::uint64_t>{"503", 1});
    REQUIRE(metrics.errors.size() == 1);
    CHECK(metrics.errors[0] == "503 Service Unavailable");
    CHECK(metrics.late_launches == 1);
}

TEST_CASE("run_metrics: status codes sort as strings and errors keep first-seen order") {
    RunRecord record;
    record.results = {result(0, 0, 1, 0, "connect: Connection refused"), result(1, 1, 1, 302),
                      result(2, 2, 1, 0, "read: timeout"),
                      result(3, 3, 1, 0, "connect: Connection refused")};
    const RunMetrics metrics = summarize(record, LatencyOrigin::Sent);
    REQUIRE(metrics.status_codes.size() == 2);
    CHECK(metrics.status_codes[0].first == "0");
    CHECK(metrics.status_codes[0].second == 3);
    CHECK(metrics.status_codes[1].first == "302");
    CHECK(metrics.errors ==
          std::vector<std::string>{"connect: Connection refused", "read: timeout"});
}

TEST_CASE("run_metrics: the latency origin moves latencies, not the run's span") {
    RunRecord record;
    RequestResult late = result(0, 15 * millisecond, 2 * millisecond, 201);
    late.scheduled_ns = 0;  // launched 15ms behind schedule
    record.results = {late};
    CHECK(summarize(record, LatencyOrigin::Sent).latencies.max == 2 * millisecond);
    CHECK(summarize(record, LatencyOrigin::Scheduled).latencies.max == 17 * millisecond);
    CHECK(summarize(record, LatencyOrigin::Scheduled).attack == 0);
}

TEST_CASE("run_metrics: an empty record gives zeros") {
    const RunMetrics metrics = summarize(RunRecord{}, LatencyOrigin::Sent);
    CHECK(metrics.requests == 0);
    CHECK(metrics.rate == 0);
    CHECK(metrics.status_codes.empty());
}
