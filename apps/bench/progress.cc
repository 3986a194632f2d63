// SPDX-License-Identifier: MIT
#include "apps/bench/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstdio>

namespace raftlink::bench {

void ProgressCounters::on_done(bool success, DurationNs latency) {
    (success ? succeeded_ : failed_).fetch_add(1, std::memory_order_relaxed);
    window_[bucket_of(latency)].fetch_add(1, std::memory_order_relaxed);
}

std::size_t ProgressCounters::bucket_of(DurationNs latency) {
    // Log-linear (HdrHistogram's idea): the power of two, then the next three bits.
    const auto value = static_cast<std::uint64_t>(latency < 8 ? 8 : latency);
    const auto power = static_cast<std::size_t>(std::bit_width(value) - 1);
    const auto fraction = static_cast<std::size_t>((value >> (power - 3)) & 7);
    return std::min(power * 8 + fraction, bucket_count - 1);
}

DurationNs ProgressCounters::bucket_middle(std::size_t bucket) {
    const std::size_t power = bucket / 8;
    const std::uint64_t low = (8 + bucket % 8) << (power - 3);
    const std::uint64_t width = std::uint64_t{1} << (power - 3);
    return static_cast<DurationNs>(low + width / 2);
}

std::optional<DurationNs> ProgressCounters::take_window_median() {
    std::array<std::uint64_t, bucket_count> counts{};
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        counts[i] = window_[i].exchange(0, std::memory_order_relaxed);
        total += counts[i];
    }
    if (total == 0) return std::nullopt;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += counts[i];
        if (seen * 2 >= total) return bucket_middle(i);
    }
    return std::nullopt;
}

ProgressPrinter::ProgressPrinter(ProgressCounters& counters, ProgressMode mode, DurationNs planned)
    : counters_(counters), planned_(planned) {
    terminal_ = isatty(STDERR_FILENO) == 1;
    enabled_ = mode == ProgressMode::Always || (mode == ProgressMode::Auto && terminal_);
    if (enabled_) thread_ = std::thread([this] { run(); });
}

ProgressPrinter::~ProgressPrinter() {
    if (!enabled_) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // Leave no half line behind for the report that follows.
    if (terminal_) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
}

std::string ProgressPrinter::line(DurationNs elapsed) {
    if (auto median = counters_.take_window_median()) last_median_ = median;
    const std::string planned =
        planned_ > 0 ? fmt::format("/{}", format_vegeta_duration(planned_)) : "";
    const std::string median =
        last_median_ ? fmt::format("{:.2f}ms", to_milliseconds(*last_median_)) : "-";
    return fmt::format("  {:.1f}s{}  sent {}  ok {}  err {}  p50 {}", to_seconds(elapsed), planned,
                       counters_.launched(), counters_.succeeded(), counters_.failed(), median);
}

void ProgressPrinter::run() {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto interval = terminal_ ? std::chrono::milliseconds(250) : std::chrono::seconds(1);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
        const std::string text = line(elapsed.count());
        if (terminal_) {
            std::fprintf(stderr, "\r%s\033[K", text.c_str());
        } else {
            std::fprintf(stderr, "%s\n", text.c_str());
        }
        std::fflush(stderr);
    }
}

}  // namespace raftlink::bench
