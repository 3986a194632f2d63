// SPDX-License-Identifier: MIT
// The live progress line on stderr: "  12.0s/30s  sent 12000  ok 11990  err 0  p50 0.41ms".
//
// Generator threads bump lock-free counters; one printer thread reads them four times a
// second. The p50 shown is that of the answers since the previous refresh, from a log-linear
// histogram (about 9% wide buckets): it is a gauge for a person, never a reported figure.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "apps/bench/go_duration.h"

namespace raftlink::bench {

class ProgressCounters {
public:
    void on_launch() { launched_.fetch_add(1, std::memory_order_relaxed); }
    void on_done(bool success, DurationNs latency);

    std::uint64_t launched() const { return launched_.load(std::memory_order_relaxed); }
    std::uint64_t succeeded() const { return succeeded_.load(std::memory_order_relaxed); }
    std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

    /// The median latency of the answers since the previous call, and resets the window;
    /// nullopt when none arrived.
    std::optional<DurationNs> take_window_median();

    /// The histogram bucket of a latency, and the middle of a bucket (for tests).
    static std::size_t bucket_of(DurationNs latency);
    static DurationNs bucket_middle(std::size_t bucket);

private:
    /// 8 buckets per power of two over 64 powers.
    static constexpr std::size_t bucket_count = 64 * 8;

    std::atomic<std::uint64_t> launched_{0};
    std::atomic<std::uint64_t> succeeded_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::array<std::atomic<std::uint64_t>, bucket_count> window_{};
};

enum class ProgressMode { Auto, Always, Never };

/// Prints the progress line while it lives. Auto prints only when stderr is a terminal, where
/// the line is rewritten in place with '\r'; Always on a non-terminal prints a full line each
/// second instead, so that logs stay readable. The line is cleared when the printer ends.
class ProgressPrinter {
public:
    /// counters' latency window is drained by the printer, the one change it makes to them.
    ProgressPrinter(ProgressCounters& counters, ProgressMode mode, DurationNs planned);
    ~ProgressPrinter();
    ProgressPrinter(const ProgressPrinter&) = delete;
    ProgressPrinter& operator=(const ProgressPrinter&) = delete;

private:
    void run();
    std::string line(DurationNs elapsed);

    ProgressCounters& counters_;
    DurationNs planned_;
    bool terminal_ = false;
    bool enabled_ = false;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::optional<DurationNs> last_median_;
    std::thread thread_;
};

}  // namespace raftlink::bench
