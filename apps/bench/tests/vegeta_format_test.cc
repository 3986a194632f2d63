// SPDX-License-Identifier: MIT
// The text report must match vegeta's layout byte for byte: the seed's report is the
// reference (shared/seed), reproduced here from the same figures.
#include "apps/bench/vegeta_format.h"

#include <doctest/doctest.h>

using namespace raftlink::bench;

namespace {

RunMetrics seed_metrics() {
    RunMetrics metrics;
    metrics.requests = 6000;
    metrics.successes = 6000;
    metrics.rate = 100.0167;
    metrics.throughput = 100.0;
    metrics.attack = 59990 * millisecond;
    metrics.wait = 6838 * microsecond;
    metrics.latencies.min = 3854 * microsecond;
    metrics.latencies.mean = 26914 * microsecond;
    metrics.latencies.p50 = 26886 * microsecond;
    metrics.latencies.p90 = 46907 * microsecond;
    metrics.latencies.p95 = 47324 * microsecond;
    metrics.latencies.p99 = 48299 * microsecond;
    metrics.latencies.max = 54371 * microsecond;
    metrics.bytes_in_total = 606000;
    metrics.bytes_in_mean = 101;
    metrics.bytes_out_total = 276000;
    metrics.bytes_out_mean = 46;
    metrics.success_ratio = 1;
    metrics.status_codes = {{"201", 6000}};
    return metrics;
}

}  // namespace

TEST_CASE("vegeta_format: the seed's report, byte for byte") {
    const char* want =
        "Requests      [total, rate, throughput]         6000, 100.02, 100.00\n"
        "Duration      [total, attack, wait]             59.997s, 59.99s, 6.838ms\n"
        "Latencies     [min, mean, 50, 90, 95, 99, max]  3.854ms, 26.914ms, 26.886ms, "
        "46.907ms, 47.324ms, 48.299ms, 54.371ms\n"
        "Bytes In      [total, mean]                     606000, 101.00\n"
        "Bytes Out     [total, mean]                     276000, 46.00\n"
        "Success       [ratio]                           100.00%\n"
        "Status Codes  [code:count]                      201:6000\n";
    CHECK(format_vegeta_text(seed_metrics()) == want);
}

TEST_CASE("vegeta_format: several codes, then the error set") {
    RunMetrics metrics = seed_metrics();
    metrics.status_codes = {{"0", 2}, {"201", 5990}, {"503", 8}};
    metrics.errors = {"connect: Connection refused", "503 Service Unavailable"};
    const std::string text = format_vegeta_text(metrics);
    CHECK(text.find("Status Codes  [code:count]                      0:2  201:5990  503:8\n"
                    "Error Set:\n"
                    "connect: Connection refused\n"
                    "503 Service Unavailable\n") != std::string::npos);
}

TEST_CASE("vegeta_format: columns count characters, not bytes") {
    const std::string text = align_columns({{"a\u00b5", "x", "last"}, {"abc", "yy", "z"}});
    CHECK(text == "a\u00b5   x   last\nabc  yy  z\n");
}

TEST_CASE("vegeta_format: late launches line") {
    RunMetrics metrics = seed_metrics();
    metrics.late_launches = 3;
    metrics.lateness_max = 12500 * microsecond;
    CHECK(format_late_launches(metrics) ==
          "Late launches: 3 of 6000 (more than 10ms behind schedule; worst 12.5ms)\n");
}
