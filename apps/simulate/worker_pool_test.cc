// SPDX-License-Identifier: MIT
// The worker pool with workers that really die: a core assertion (abort), a plain exit, a
// malformed frame. Each death must cost exactly the job that was running, and the pool must
// go on with new workers until every job has a completion.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
// doctest's SIGABRT handler would be inherited by the workers and report their aborts as
// this test's crash; the workers must die as the simulate command's workers do.
#define DOCTEST_CONFIG_NO_POSIX_SIGNALS
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <map>
#include <set>

#include "apps/simulate/worker_pool.h"
#include "core/assert.h"
#include "core/codec.h"

namespace raftlink::simulate {
namespace {

Bytes encode_number(std::uint64_t value) {
    ByteWriter writer;
    writer.u64(value);
    return writer.take();
}

std::uint64_t decode_number(const Bytes& bytes) {
    ByteReader reader(bytes);
    const std::uint64_t value = reader.u64();
    REQUIRE(reader.ok());
    return value;
}

/// Runs the pool and returns each job's outcome; checks every job completes exactly once.
std::map<std::size_t, JobOutcome> run(std::size_t job_count, std::size_t workers,
                                      const WorkerFunction& work) {
    // The aborting workers below must not leave core files behind.
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    std::map<std::size_t, JobOutcome> outcomes;
    const std::string error = run_worker_pool(
        job_count, PoolOptions{workers, std::chrono::milliseconds(50)}, work,
        [&](std::size_t job, JobOutcome outcome) {
            CHECK(outcomes.count(job) == 0);
            outcomes[job] = std::move(outcome);
        },
        [] {});
    CHECK(error.empty());
    CHECK(outcomes.size() == job_count);
    return outcomes;
}

std::string context() { return "seed 7; replay: simulate run x.json --seed 7"; }

TEST_CASE("every job runs once and reports its own result, whatever the worker count") {
    const std::size_t worker_counts[] = {1, 2, 5, 40};
    for (const std::size_t workers : worker_counts) {
        const auto outcomes = run(30, workers, [](std::size_t job) {
            return encode_number(job * job);
        });
        for (const auto& [job, outcome] : outcomes) {
            CHECK_FALSE(outcome.crashed);
            CHECK(decode_number(outcome.result) == job * job);
        }
    }
}

TEST_CASE("a worker that fails a core assertion costs only its job, explained by the assertion") {
    const auto outcomes = run(40, 3, [](std::size_t job) {
        set_assert_context_hook(context);
        if (job % 10 == 7) ASSERT_EQ(job, std::size_t{1000});  // aborts, as a core bug would
        return encode_number(job);
    });
    for (const auto& [job, outcome] : outcomes) {
        CAPTURE(job);
        if (job % 10 == 7) {
            CHECK(outcome.crashed);
            CHECK(outcome.result.empty());
            CHECK(outcome.crash_detail.find("worker killed by signal 6") == 0);
            CHECK(outcome.crash_detail.find("assertion failed: job == std::size_t{1000}") !=
                  std::string::npos);
            CHECK(outcome.crash_detail.find("left=" + std::to_string(job)) != std::string::npos);
        } else {
            CHECK_FALSE(outcome.crashed);
            CHECK(decode_number(outcome.result) == job);
        }
    }
}

TEST_CASE("a sweep whose every job crashes still completes every job") {
    const auto outcomes = run(12, 2, [](std::size_t) -> Bytes { std::abort(); });
    for (const auto& [job, outcome] : outcomes) {
        CHECK(outcome.crashed);
        CHECK(outcome.crash_detail.find("signal 6") != std::string::npos);
    }
}

TEST_CASE("a worker that exits quietly mid-job is a crash with its exit status") {
    const auto outcomes = run(6, 2, [](std::size_t job) {
        if (job == 4) {
            std::fputs("giving up\n", stderr);
            _exit(3);
        }
        return encode_number(job);
    });
    CHECK(outcomes.at(4).crashed);
    CHECK(outcomes.at(4).crash_detail == "worker exited with status 3 before reporting: giving up");
    CHECK_FALSE(outcomes.at(5).crashed);
}

TEST_CASE("a result larger than the bound is a crash of its job only") {
    const auto outcomes = run(3, 1, [](std::size_t job) {
        // The worker refuses (asserts on) its own oversized result rather than send it.
        return job == 1 ? Bytes(result_bytes_max + 1, 0) : encode_number(job);
    });
    CHECK(outcomes.at(1).crashed);
    CHECK(outcomes.at(1).crash_detail.find("assertion failed") != std::string::npos);
    CHECK_FALSE(outcomes.at(0).crashed);
    CHECK_FALSE(outcomes.at(2).crashed);
}

}  // namespace
}  // namespace raftlink::simulate
