// SPDX-License-Identifier: MIT
#include "apps/simulate/sweep_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>

#include "apps/simulate/cli_common.h"
#include "apps/simulate/seed_ranges.h"
#include "apps/simulate/sweep_report.h"
#include "apps/simulate/worker_pool.h"

namespace raftlink::simulate {
namespace {

/// Progress is redrawn this often at most; the report decides how often it prints.
constexpr std::chrono::milliseconds tick_interval{100};
/// A sweep that cannot start its workers is neither a bad command line nor a failed check.
constexpr int exit_system = 1;

SeedClass classify(const sim::Outcome& outcome) {
    if (outcome.ok()) return SeedClass::Passed;
    return outcome.violation->kind == sim::Violation::Kind::Safety ? SeedClass::Safety
                                                                    : SeedClass::Liveness;
}

/// Runs in a worker: one seed, no trace (not even formatted: nobody reads it, and the replay
/// command shows it), a compact result.
Bytes run_job(const std::vector<sim::Scenario>& scenarios, const SeedSet& seeds,
              const std::string& program, std::size_t job) {
    const sim::Scenario& scenario = scenarios[job / seeds.count()];
    const std::uint64_t seed = seeds.at(job % seeds.count());
    set_replay_context(program, scenario.path, seed);
    const TimedOutcome timed = run_seed(scenario, seed, nullptr, nullptr, false);
    SeedResult result;
    result.verdict = classify(timed.outcome);
    result.events = timed.outcome.events;
    result.simulated = timed.outcome.simulated;
    result.wall = static_cast<Nanos>(timed.wall_seconds * 1e9);
    result.creates = timed.outcome.create_latency.count;
    result.create_latency_total = timed.outcome.create_latency.total;
    result.create_latency_max = timed.outcome.create_latency.max;
    result.reads = timed.outcome.read_latency.count;
    result.read_latency_total = timed.outcome.read_latency.total;
    result.read_latency_max = timed.outcome.read_latency.max;
    if (!timed.outcome.ok()) {
        result.property = timed.outcome.violation->property;
        result.detail = timed.outcome.violation->detail;
    }
    return result.encode();
}

SeedResult crash_result(const JobOutcome& outcome) {
    SeedResult result;
    result.verdict = SeedClass::Crash;
    result.property = "crash";
    result.detail = outcome.crash_detail;
    return result;
}

}  // namespace

std::size_t default_jobs() {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : static_cast<std::size_t>(cores);
}

int command_sweep(const SweepArguments& arguments) {
    auto seeds = SeedSet::parse(arguments.seeds);
    if (!seeds) {
        std::cerr << "simulate: " << seeds.error().message << "\n";
        return exit_usage;
    }
    std::vector<sim::Scenario> scenarios;
    std::vector<ScenarioEntry> entries;
    for (const std::string& path : arguments.scenario_paths) {
        std::optional<sim::Scenario> scenario = load(path);
        if (!scenario) return exit_usage;
        entries.push_back(ScenarioEntry{scenario->name, scenario->path});
        scenarios.push_back(std::move(*scenario));
    }
    const SeedSet& seed_set = seeds.value();
    const std::size_t jobs = static_cast<std::size_t>(seed_set.count()) * scenarios.size();
    const std::size_t workers =
        std::min({arguments.jobs == 0 ? default_jobs() : arguments.jobs, workers_max, jobs});
    SweepReport report(std::move(entries), seed_set.count(), workers, arguments.program);

    report.progress();
    const WorkerFunction work = [&](std::size_t job) {
        return run_job(scenarios, seed_set, arguments.program, job);
    };
    const CompletionFunction complete = [&](std::size_t job, JobOutcome outcome) {
        std::optional<SeedResult> result =
            outcome.crashed ? crash_result(outcome) : SeedResult::decode(outcome.result);
        if (!result) {
            outcome.crash_detail = "the worker sent a malformed result";
            result = crash_result(outcome);
        }
        report.add(job / seed_set.count(), seed_set.at(job % seed_set.count()), std::move(*result));
        report.progress();
    };
    const std::string error = run_worker_pool(jobs, PoolOptions{workers, tick_interval}, work,
                                              complete, [&] { report.progress(); });
    report.end_progress();
    if (!error.empty()) {
        std::cerr << "simulate: cannot run the sweep's workers: " << error << "\n";
        return exit_system;
    }
    report.print_summary(std::cout);
    return report.exit_code();
}

}  // namespace raftlink::simulate
