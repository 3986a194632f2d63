// SPDX-License-Identifier: MIT
// The metrics registry: histogram bucket arithmetic, the Prometheus text format, and the
// storage thread's concurrent observe_fsync while the io thread renders.
#include <doctest/doctest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/real/metrics.h"

namespace raftlink::real {
namespace {

/// The value of the sample line that starts with `series` + ' ', or -1 when absent.
double sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
}

bool has_line(const std::string& text, const std::string& wanted) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line == wanted) return true;
    }
    return false;
}

TEST_SUITE("real") {
    TEST_CASE("metrics: a histogram's buckets are cumulative, le-inclusive, with sum and count") {
        Histogram histogram({0.1, 1.0});
        for (const double seconds : {0.05, 0.1, 0.5, 2.0, 3.0}) histogram.observe(seconds);
        std::string out;
        histogram.render(out, "x", "route=\"a\"");
        CHECK(has_line(out, "x_bucket{route=\"a\",le=\"0.1\"} 2"));  // 0.05 and 0.1 (le)
        CHECK(has_line(out, "x_bucket{route=\"a\",le=\"1\"} 3"));
        CHECK(has_line(out, "x_bucket{route=\"a\",le=\"+Inf\"} 5"));
        CHECK(has_line(out, "x_count{route=\"a\"} 5"));
        CHECK(sample(out, "x_sum{route=\"a\"}") == doctest::Approx(5.65));
    }

    TEST_CASE("metrics: a histogram without labels renders bare series names") {
        Histogram histogram({0.5});
        std::string out;
        histogram.render(out, "y", "");
        CHECK(has_line(out, "y_bucket{le=\"0.5\"} 0"));
        CHECK(has_line(out, "y_bucket{le=\"+Inf\"} 0"));
        CHECK(has_line(out, "y_sum 0"));
        CHECK(has_line(out, "y_count 0"));
    }

    TEST_CASE("metrics: render names every metric with HELP and TYPE lines") {
        Metrics metrics;
        metrics.observe_request("create", 201, 0.002);
        metrics.observe_request("create", 201, 0.004);
        metrics.observe_request("create", 409, 0.0001);
        metrics.observe_request("resolve", 302, 0.0003);
        metrics.observe_fsync(0.001);
        metrics.add_wal_bytes(100);
        metrics.add_wal_bytes(23);
        Metrics::RaftGauges gauges;
        gauges.term = 7;
        gauges.role = 3;
        gauges.commit_index = 12;
        gauges.applied_index = 11;
        gauges.elections_started = 2;
        gauges.urls = 5;
        metrics.set_raft(gauges);
        const std::string out = metrics.render();

        struct Case {
            const char* name;
            const char* type;
        };
        const Case cases[] = {
            {"raftlink_http_requests_total", "counter"},
            {"raftlink_http_request_duration_seconds", "histogram"},
            {"raftlink_raft_term", "gauge"},
            {"raftlink_raft_role", "gauge"},
            {"raftlink_raft_commit_index", "gauge"},
            {"raftlink_raft_applied_index", "gauge"},
            {"raftlink_raft_elections_total", "counter"},
            {"raftlink_urls", "gauge"},
            {"raftlink_fsync_duration_seconds", "histogram"},
            {"raftlink_wal_bytes_total", "counter"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.name);
            CHECK(out.find(std::string("# HELP ") + c.name + " ") != std::string::npos);
            CHECK(has_line(out, std::string("# TYPE ") + c.name + " " + c.type));
        }
        CHECK(has_line(out, "raftlink_http_requests_total{route=\"create\",code=\"201\"} 2"));
        CHECK(has_line(out, "raftlink_http_requests_total{route=\"create\",code=\"409\"} 1"));
        CHECK(has_line(out, "raftlink_http_requests_total{route=\"resolve\",code=\"302\"} 1"));
        // One latency histogram per route, across codes.
        CHECK(has_line(out, "raftlink_http_request_duration_seconds_count{route=\"create\"} 3"));
        CHECK(has_line(out, "raftlink_http_request_duration_seconds_bucket"
                            "{route=\"create\",le=\"0.0025\"} 2"));
        CHECK(has_line(out, "raftlink_raft_term 7"));
        CHECK(has_line(out, "raftlink_raft_role 3"));
        CHECK(has_line(out, "raftlink_raft_commit_index 12"));
        CHECK(has_line(out, "raftlink_raft_applied_index 11"));
        CHECK(has_line(out, "raftlink_raft_elections_total 2"));
        CHECK(has_line(out, "raftlink_urls 5"));
        CHECK(has_line(out, "raftlink_fsync_duration_seconds_count 1"));
        CHECK(has_line(out, "raftlink_fsync_duration_seconds_bucket{le=\"0.001\"} 1"));
        CHECK(has_line(out, "raftlink_fsync_duration_seconds_bucket{le=\"0.0005\"} 0"));
        CHECK(sample(out, "raftlink_fsync_duration_seconds_sum") == doctest::Approx(0.001));
        CHECK(has_line(out, "raftlink_wal_bytes_total 123"));
        CHECK(out.back() == '\n');
    }

    TEST_CASE("metrics: observe_fsync from another thread while rendering stays consistent") {
        Metrics metrics;
        constexpr int observations = 20'000;
        std::atomic<bool> done{false};
        std::thread storage([&] {
            for (int i = 0; i < observations; ++i) {
                metrics.observe_fsync(0.0001 * (i % 50));
                metrics.add_wal_bytes(10);
            }
            done = true;
        });
        double last_count = 0;
        int renders = 0;
        while (!done.load() || renders == 0) {
            const std::string out = metrics.render();
            const double count = sample(out, "raftlink_fsync_duration_seconds_count");
            const double infinite =
                sample(out, "raftlink_fsync_duration_seconds_bucket{le=\"+Inf\"}");
            CHECK(count == infinite);
            CHECK(count >= last_count);  // counters never go back
            last_count = count;
            ++renders;
        }
        storage.join();
        const std::string out = metrics.render();
        CHECK(sample(out, "raftlink_fsync_duration_seconds_count") == observations);
        CHECK(sample(out, "raftlink_wal_bytes_total") == observations * 10.0);
    }
}

}  // namespace
}  // namespace raftlink::real
