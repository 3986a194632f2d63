// SPDX-License-Identifier: MIT
// A pool of forked worker processes that run numbered jobs and report one result per job.
//
// Processes, not threads, because a job may abort the process it runs in: a core assertion
// stops the process on purpose (core/assert.h). A dead worker costs only the job it was
// running, which is reported as a crash; the pool starts a new worker for the remaining jobs.
//
// Each worker runs one job at a time, so a crash is attributed to exactly one job. The parent
// talks to a worker through three pipes: job numbers in, framed results out, and the worker's
// stderr, whose last bytes explain a crash (the assertion message).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "core/types.h"

namespace raftlink::simulate {

/// At most this many workers, whatever the command line asks for.
inline constexpr std::size_t workers_max = 256;
/// A result frame larger than this is a broken worker, handled like a crash.
inline constexpr std::size_t result_bytes_max = 1 << 20;
/// How much of a worker's stderr is kept to explain a crash (the last bytes).
inline constexpr std::size_t stderr_tail_bytes_max = 4096;

struct JobOutcome {
    bool crashed = false;
    Bytes result;             // what the worker function returned; empty if crashed
    std::string crash_detail; // how the worker died and the last stderr line that explains it
};

/// Runs in a worker process. May abort; must not touch the parent's file descriptors.
using WorkerFunction = std::function<Bytes(std::size_t job)>;
/// Runs in the parent for each finished job, in completion order (not job order).
using CompletionFunction = std::function<void(std::size_t job, JobOutcome outcome)>;
/// Runs in the parent at least every `tick_interval` while jobs are under way (progress).
using TickFunction = std::function<void()>;

struct PoolOptions {
    std::size_t workers = 1;  // 1..workers_max
    std::chrono::milliseconds tick_interval{250};
};

/// Runs jobs 0..job_count-1 and returns when every job has a completion. Returns an empty
/// string, or a message if the pool could not start a worker (fork or pipe failed) — an
/// operating error, after which the jobs not reported have not run.
std::string run_worker_pool(std::size_t job_count, const PoolOptions& options,
                            const WorkerFunction& work, const CompletionFunction& complete,
                            const TickFunction& tick);

}  // namespace raftlink::simulate
