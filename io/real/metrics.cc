// SPDX-License-Identifier: MIT
#include "io/real/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/assert.h"

namespace raftlink::real {
namespace {

constexpr double nanos_per_second = 1e9;

/// The Prometheus text form of a sample value: shortest round-trip decimal, "+Inf" for
/// infinity (as the Go client writes them).
std::string format_number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    std::array<char, 64> text{};
    // Whole numbers print as integers ("10", not "1e+01"); others in %g style with the
    // shortest digits that round-trip ("0.0005", "5e-05"), as Prometheus clients write them.
    const bool whole = std::abs(value) < 1e15 && value == std::trunc(value);
    if (whole) return std::to_string(static_cast<std::int64_t>(value));
    const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value,
                                            std::chars_format::general);
    ASSERT(error == std::errc());
    return std::string(text.data(), end);
}

/// Index of the bucket that counts `seconds`: the first bound with seconds <= bound
/// (Prometheus "le" semantics), or bounds.size() for the +Inf bucket.
std::size_t bucket_of(const std::vector<double>& bounds, double seconds) {
    const auto found = std::lower_bound(bounds.begin(), bounds.end(), seconds);
    return static_cast<std::size_t>(found - bounds.begin());
}

/// `{a,b}` from the non-empty parts, or "" when both are empty.
std::string braces(const std::string& labels, const std::string& extra) {
    if (labels.empty() && extra.empty()) return "";
    if (labels.empty()) return "{" + extra + "}";
    if (extra.empty()) return "{" + labels + "}";
    return "{" + labels + "," + extra + "}";
}

void render_header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void render_sample(std::string& out, const std::string& name, const std::string& labels,
                   const std::string& value) {
    out += name;
    out += labels;
    out += ' ';
    out += value;
    out += '\n';
}

/// Bucket lines from per-bucket (not yet cumulative) counts; the last count is +Inf. The
/// _count line is the +Inf cumulative count, so the two always agree.
void render_buckets(std::string& out, const std::string& name, const std::string& labels,
                    const std::vector<double>& bounds, const std::vector<std::uint64_t>& counts,
                    double sum) {
    ASSERT_EQ(counts.size(), bounds.size() + 1);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const double bound = i < bounds.size() ? bounds[i] : INFINITY;
        render_sample(out, name + "_bucket",
                      braces(labels, "le=\"" + format_number(bound) + "\""),
                      std::to_string(cumulative));
    }
    render_sample(out, name + "_sum", braces(labels, ""), format_number(sum));
    render_sample(out, name + "_count", braces(labels, ""), std::to_string(cumulative));
}

/// The request counters' and histograms' key for a route's histogram: the histogram is per
/// route only, so its code part is always 0 (metrics.h shares one key type for both maps).
constexpr unsigned any_code = 0;

}  // namespace

Histogram::Histogram(std::vector<double> bounds_seconds)
    : bounds_(std::move(bounds_seconds)), counts_(bounds_.size() + 1, 0) {
    ASSERT(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::observe(double seconds) {
    if (std::isnan(seconds)) return;
    counts_[bucket_of(bounds_, seconds)] += 1;
    sum_ += seconds;
    count_ += 1;
}

void Histogram::render(std::string& out, const std::string& name,
                       const std::string& labels) const {
    render_buckets(out, name, labels, bounds_, counts_, sum_);
}

std::vector<double> latency_buckets_seconds() {
    return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05,    0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0};
}

Metrics::Metrics()
    : fsync_buckets_(latency_buckets_seconds().size() + 1),
      fsync_bounds_(latency_buckets_seconds()) {
    for (auto& bucket : fsync_buckets_) bucket.store(0, std::memory_order_relaxed);
}

void Metrics::observe_request(std::string_view route, unsigned code, double seconds) {
    // Look up first: a key (a string) and the bucket bounds are built once per route and code.
    auto count = requests_.find(std::pair{route, code});
    if (count == requests_.end()) count = requests_.emplace(RouteCode{route, code}, 0).first;
    count->second += 1;
    auto histogram = request_seconds_.find(std::pair{route, any_code});
    if (histogram == request_seconds_.end()) {
        histogram = request_seconds_.emplace(RouteCode{route, any_code}, latency_buckets_seconds())
                        .first;
    }
    histogram->second.observe(seconds);
}

void Metrics::observe_fsync(double seconds) {
    if (std::isnan(seconds) || seconds < 0) seconds = 0;
    // Relaxed is enough: each counter is exact on its own, and render() derives _count from
    // the buckets, so a render that races an observe sees either all of it or part of it
    // without ever showing a _count that disagrees with the +Inf bucket.
    fsync_buckets_[bucket_of(fsync_bounds_, seconds)].fetch_add(1, std::memory_order_relaxed);
    const double nanos = std::min(seconds * nanos_per_second, 1e18);
    fsync_nanos_sum_.fetch_add(static_cast<std::uint64_t>(nanos), std::memory_order_relaxed);
    fsync_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::add_wal_bytes(std::uint64_t bytes) {
    wal_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

std::string Metrics::render() const {
    std::string out;
    out.reserve(8192);

    render_header(out, "raftlink_http_requests_total", "counter",
                  "HTTP responses sent, by route and status code.");
    for (const auto& [key, count] : requests_) {
        render_sample(out, "raftlink_http_requests_total",
                      "{route=\"" + key.first + "\",code=\"" + std::to_string(key.second) + "\"}",
                      std::to_string(count));
    }
    render_header(out, "raftlink_http_request_duration_seconds", "histogram",
                  "Time from a request's headers being read to its response being ready.");
    for (const auto& [key, histogram] : request_seconds_) {
        histogram.render(out, "raftlink_http_request_duration_seconds",
                         "route=\"" + key.first + "\"");
    }

    const auto gauge = [&out](const char* name, const char* type, const char* help,
                              std::uint64_t value) {
        render_header(out, name, type, help);
        render_sample(out, name, "", std::to_string(value));
    };
    gauge("raftlink_raft_term", "gauge", "The current Raft term.", raft_.term);
    gauge("raftlink_raft_role", "gauge",
          "The Raft role: 0 follower, 1 pre-candidate, 2 candidate, 3 leader.",
          static_cast<std::uint64_t>(raft_.role));
    gauge("raftlink_raft_commit_index", "gauge", "The highest log index known committed.",
          raft_.commit_index);
    gauge("raftlink_raft_applied_index", "gauge", "The highest log index applied to the store.",
          raft_.applied_index);
    gauge("raftlink_raft_last_index", "gauge", "The index of the last entry in the log.",
          raft_.last_index);
    gauge("raftlink_raft_elections_total", "counter", "Elections this node started.",
          raft_.elections_started);
    gauge("raftlink_raft_elections_won_total", "counter", "Elections this node won.",
          raft_.elections_won);
    gauge("raftlink_urls", "gauge", "Short URLs in this replica's store.", raft_.urls);

    render_header(out, "raftlink_fsync_duration_seconds", "histogram",
                  "Duration of the write-ahead log's fsyncs.");
    std::vector<std::uint64_t> fsync_counts;
    fsync_counts.reserve(fsync_buckets_.size());
    for (const auto& bucket : fsync_buckets_) {
        fsync_counts.push_back(bucket.load(std::memory_order_relaxed));
    }
    const double fsync_sum =
        static_cast<double>(fsync_nanos_sum_.load(std::memory_order_relaxed)) / nanos_per_second;
    render_buckets(out, "raftlink_fsync_duration_seconds", "", fsync_bounds_, fsync_counts,
                   fsync_sum);

    gauge("raftlink_wal_bytes_total", "counter", "Bytes written to the write-ahead log.",
          wal_bytes_.load(std::memory_order_relaxed));
    return out;
}

}  // namespace raftlink::real
