// SPDX-License-Identifier: MIT
// One generator thread's machinery, shared by the open and the closed loop: an io_context,
// a connection pool, and the record of every request it launched.
//
// The loops decide *when* to launch; LoadWorker launches, times and records. Everything but
// construction and take_record runs on the worker's own thread, so the record needs no lock.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "apps/bench/connection_pool.h"
#include "apps/bench/http_endpoint.h"
#include "apps/bench/progress.h"
#include "apps/bench/request_result.h"
#include "apps/bench/request_target.h"

namespace raftlink::bench {

/// The run's zero on the steady clock; every RequestResult time is measured from it.
struct RunClock {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    /// Sets the zero to now: a run restarts it once its setup is done, just before its threads
    /// start, so that allocation is not counted as the generator being late.
    void restart() { start = std::chrono::steady_clock::now(); }

    DurationNs now() const {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now() - start)
            .count();
    }
    std::chrono::steady_clock::time_point at(DurationNs offset) const {
        return start + std::chrono::nanoseconds(offset);
    }
};

/// What every load run needs besides its pacing.
struct LoadSettings {
    HttpEndpoint endpoint;
    /// Per request: connect, write and read must finish within it.
    DurationNs timeout = 30 * second;
    /// Generator threads, each with its own io_context and connections.
    unsigned threads = 1;
    /// Keep the short ids of 201 answers (for --save-ids and the cluster's read phase).
    bool collect_ids = false;
    /// Live counters for the progress line; may be null.
    ProgressCounters* progress = nullptr;
    /// If set, times (and an open loop's schedule, and a closed loop's duration) count from
    /// this clock's zero, so that the records of several runs merge into one; otherwise each
    /// run starts its own clock when its setup is done.
    const RunClock* clock = nullptr;
};

/// Resolves settings.endpoint once for the whole run; throws std::runtime_error naming the
/// host when it cannot be resolved.
Endpoints resolve_endpoint(const HttpEndpoint& endpoint);

class LoadWorker {
public:
    /// endpoints, target, settings and clock must outlive the worker. The clock is shared by
    /// every worker of a run and may be restarted until the workers' threads start.
    LoadWorker(const Endpoints& endpoints, const RequestTarget& target,
               const LoadSettings& settings, std::size_t connections_max, const RunClock& clock);

    /// Launches request `sequence` now, scheduled at scheduled_ns. on_done (optional) fires
    /// after its result is recorded.
    void launch(std::uint64_t sequence, DurationNs scheduled_ns,
                std::function<void()> on_done = {});

    /// Reserves room for this many results, so that recording never reallocates mid-run.
    void reserve(std::size_t count) { record_.results.reserve(count); }

    boost::asio::io_context& context() { return context_; }
    const RunClock& clock() const { return clock_; }
    RunRecord& record() { return record_; }
    std::size_t connections_open_max() const { return pool_.connections_open_max(); }

private:
    void record_answer(std::size_t index, ExchangeOutcome outcome);

    boost::asio::io_context context_{1};
    const RequestTarget& target_;
    const LoadSettings& settings_;
    const RunClock& clock_;
    ConnectionPool pool_;
    RunRecord record_;
};

/// Merges the records of several workers: results ordered by sequence, counters summed.
RunRecord merge_records(std::vector<RunRecord> records);

}  // namespace raftlink::bench
