// SPDX-License-Identifier: MIT
// The node's metrics registry, rendered in the Prometheus text format for GET /metrics.
//
// Everything runs on the node's one io_context thread except the storage thread, which only
// calls observe_fsync and add_wal_bytes; those two are safe from any thread (atomics). The
// rest is single-threaded. Label sets are small and fixed (route x status), so counters live
// in ordered maps and render deterministically.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raftlink::real {

/// A cumulative histogram with fixed upper bounds in seconds (Prometheus "le" buckets).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds_seconds);
    void observe(double seconds);
    /// Appends name_bucket{labels,le="..."}, name_sum{labels}, name_count{labels} lines.
    void render(std::string& out, const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;  // one per bound, plus +Inf
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

/// Latency buckets from 50 µs to 10 s, for HTTP requests and fsyncs.
std::vector<double> latency_buckets_seconds();

class Metrics {
public:
    Metrics();

    /// One HTTP request answered: route is a fixed name ("create", "resolve", "status",
    /// "metrics", "healthz", "other"); code the status code.
    void observe_request(std::string_view route, unsigned code, double seconds);
    /// Thread-safe: called by the storage thread.
    void observe_fsync(double seconds);
    void add_wal_bytes(std::uint64_t bytes);

    /// Raft gauges, refreshed from ReplicaStatus before rendering.
    struct RaftGauges {
        std::uint64_t term = 0;
        int role = 0;  // 0 follower, 1 pre-candidate, 2 candidate, 3 leader
        std::uint64_t commit_index = 0;
        std::uint64_t applied_index = 0;
        std::uint64_t last_index = 0;
        std::uint64_t elections_started = 0;
        std::uint64_t elections_won = 0;
        std::uint64_t urls = 0;
    };
    void set_raft(const RaftGauges& gauges) { raft_ = gauges; }

    /// The whole registry in the Prometheus text exposition format (version 0.0.4).
    std::string render() const;

private:
    /// Orders (route, code) keys and finds them by a string_view route, so that counting a
    /// request (every request does) builds no string.
    struct RouteCodeLess {
        using is_transparent = void;
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const {
            const std::string_view a_route = a.first;
            const std::string_view b_route = b.first;
            return a_route != b_route ? a_route < b_route : a.second < b.second;
        }
    };
    using RouteCode = std::pair<std::string, unsigned>;

    std::map<RouteCode, std::uint64_t, RouteCodeLess> requests_;
    std::map<RouteCode, Histogram, RouteCodeLess> request_seconds_;
    // Written by the storage thread, read by render(): fixed buckets of atomic counters, so
    // no lock is shared between the two threads.
    std::vector<std::atomic<std::uint64_t>> fsync_buckets_;
    std::atomic<std::uint64_t> fsync_count_{0};
    std::atomic<std::uint64_t> fsync_nanos_sum_{0};
    std::atomic<std::uint64_t> wal_bytes_{0};
    std::vector<double> fsync_bounds_;
    RaftGauges raft_;
};

}  // namespace raftlink::real
