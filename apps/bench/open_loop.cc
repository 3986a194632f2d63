// SPDX-License-Identifier: MIT
#include "apps/bench/open_loop.h"

#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <memory>
#include <thread>

#include "apps/bench/interrupt.h"
#include "core/assert.h"

namespace raftlink::bench {
namespace {

/// A sleeping scheduler wakes at least this often to notice Ctrl-C at low rates.
constexpr DurationNs interrupt_poll_interval = 100 * millisecond;

/// Launches every `stride`-th request from `first` on one worker's io_context.
class OpenLoopPacer {
public:
    OpenLoopPacer(LoadWorker& worker, double rate, std::uint64_t total, std::uint64_t first,
                  std::uint64_t stride)
        : worker_(worker),
          timer_(worker.context()),
          rate_(rate),
          total_(total),
          next_(first),
          stride_(stride) {}

    void start() { on_timer(); }

private:
    void on_timer() {
        if (interrupted()) {
            worker_.record().interrupted = next_ < total_;
            return;
        }
        RunRecord& record = worker_.record();
        while (next_ < total_) {
            const DurationNs scheduled = open_loop_schedule(rate_, next_);
            const DurationNs now = worker_.clock().now();
            if (scheduled > now) break;
            const DurationNs lateness = now - scheduled;
            if (lateness > late_launch_threshold) ++record.late_launches;
            record.lateness_max = std::max(record.lateness_max, lateness);
            worker_.launch(next_, scheduled);
            next_ += stride_;
        }
        if (next_ >= total_) return;
        const DurationNs wake = std::min(open_loop_schedule(rate_, next_),
                                         worker_.clock().now() + interrupt_poll_interval);
        timer_.expires_at(worker_.clock().at(wake));
        timer_.async_wait([this](boost::system::error_code) { on_timer(); });
    }

    LoadWorker& worker_;
    boost::asio::steady_timer timer_;
    double rate_;
    std::uint64_t total_;
    std::uint64_t next_;
    std::uint64_t stride_;
};

}  // namespace

std::uint64_t open_loop_request_count(const OpenLoopSettings& pacing) {
    // NB: a small epsilon so that 200/s for 2 s is 400 even if the product lands on 399.999.
    const double planned = std::floor(pacing.rate * to_seconds(pacing.duration) + 1e-6);
    auto count = static_cast<std::uint64_t>(std::max(planned, 0.0));
    if (pacing.requests_max > 0) count = std::min(count, pacing.requests_max);
    return count;
}

DurationNs open_loop_schedule(double rate, std::uint64_t sequence) {
    return static_cast<DurationNs>(std::llround(static_cast<double>(sequence) * 1e9 / rate));
}

RunRecord run_open_loop(const RequestTarget& target, const LoadSettings& settings,
                        const OpenLoopSettings& pacing) {
    ASSERT_GT(pacing.rate, 0.0);
    ASSERT_GE(settings.threads, 1u);
    const Endpoints endpoints = resolve_endpoint(settings.endpoint);
    const std::uint64_t total = open_loop_request_count(pacing);
    const unsigned threads = settings.threads;
    const std::size_t connections_each = std::max<std::size_t>(1, pacing.connections_max / threads);
    RunClock own_clock;
    const RunClock& clock = settings.clock != nullptr ? *settings.clock : own_clock;
    std::vector<std::unique_ptr<LoadWorker>> workers;
    std::vector<std::unique_ptr<OpenLoopPacer>> pacers;
    for (unsigned i = 0; i < threads; ++i) {
        workers.push_back(
            std::make_unique<LoadWorker>(endpoints, target, settings, connections_each, clock));
        workers.back()->reserve(static_cast<std::size_t>(total / threads + 1));
        pacers.push_back(
            std::make_unique<OpenLoopPacer>(*workers.back(), pacing.rate, total, i, threads));
    }
    if (settings.clock == nullptr) own_clock.restart();
    std::vector<std::thread> running;
    for (unsigned i = 0; i < threads; ++i) {
        running.emplace_back([&, i] {
            pacers[i]->start();
            workers[i]->context().run();
        });
    }
    for (std::thread& thread : running) thread.join();
    pacers.clear();
    std::vector<RunRecord> records;
    for (auto& worker : workers) records.push_back(std::move(worker->record()));
    return merge_records(std::move(records));
}

}  // namespace raftlink::bench
