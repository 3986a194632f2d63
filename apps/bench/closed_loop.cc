// SPDX-License-Identifier: MIT
#include "apps/bench/closed_loop.h"

#include <atomic>
#include <memory>
#include <thread>

#include "apps/bench/interrupt.h"
#include "core/assert.h"

namespace raftlink::bench {
namespace {

/// The state the loops of all threads share: which sequence number is next.
struct SharedSequence {
    std::atomic<std::uint64_t> next{0};
};

/// One connection's loop: launch, wait for the answer, launch again.
class ClosedLoopChannel {
public:
    ClosedLoopChannel(LoadWorker& worker, SharedSequence& sequence,
                      const ClosedLoopSettings& pacing)
        : worker_(worker), sequence_(sequence), pacing_(pacing) {}

    void launch_next() {
        if (interrupted()) {
            worker_.record().interrupted = true;
            return;
        }
        const DurationNs now = worker_.clock().now();
        if (pacing_.duration > 0 && now >= pacing_.duration) return;
        const std::uint64_t sequence = sequence_.next.fetch_add(1, std::memory_order_relaxed);
        if (pacing_.requests_max > 0 && sequence >= pacing_.requests_max) return;
        worker_.launch(sequence, now, [this] { launch_next(); });
    }

private:
    LoadWorker& worker_;
    SharedSequence& sequence_;
    const ClosedLoopSettings& pacing_;
};

}  // namespace

RunRecord run_closed_loop(const RequestTarget& target, const LoadSettings& settings,
                          const ClosedLoopSettings& pacing) {
    ASSERT_GE(pacing.connections, 1u);
    ASSERT(pacing.duration > 0 || pacing.requests_max > 0);
    const Endpoints endpoints = resolve_endpoint(settings.endpoint);
    const unsigned threads = std::min(settings.threads, pacing.connections);
    RunClock own_clock;
    const RunClock& clock = settings.clock != nullptr ? *settings.clock : own_clock;
    SharedSequence sequence;
    std::vector<std::unique_ptr<LoadWorker>> workers;
    std::vector<std::vector<std::unique_ptr<ClosedLoopChannel>>> channels(threads);
    for (unsigned i = 0; i < threads; ++i) {
        // Connections are dealt out evenly: thread i gets every threads-th one.
        const unsigned mine = pacing.connections / threads + (i < pacing.connections % threads);
        workers.push_back(std::make_unique<LoadWorker>(endpoints, target, settings, mine, clock));
        for (unsigned c = 0; c < mine; ++c) {
            channels[i].push_back(
                std::make_unique<ClosedLoopChannel>(*workers.back(), sequence, pacing));
        }
    }
    if (settings.clock == nullptr) own_clock.restart();
    std::vector<std::thread> running;
    for (unsigned i = 0; i < threads; ++i) {
        running.emplace_back([&, i] {
            for (auto& channel : channels[i]) channel->launch_next();
            workers[i]->context().run();
        });
    }
    for (std::thread& thread : running) thread.join();
    std::vector<RunRecord> records;
    for (auto& worker : workers) records.push_back(std::move(worker->record()));
    return merge_records(std::move(records));
}

}  // namespace raftlink::bench
