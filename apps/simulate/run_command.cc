// SPDX-License-Identifier: MIT
#include "apps/simulate/run_command.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/simulate/cli_common.h"
#include "core/assert.h"
#include "core/text.h"
#include "io/sim/trace_printer.h"

namespace raftlink::simulate {
namespace {

using sim::Outcome;
using sim::Scenario;

void report_failure(const Scenario& scenario, const Outcome& outcome, std::uint64_t seed,
                    const std::string& program) {
    const sim::Violation& violation = *outcome.violation;
    std::cerr << "FAILED: " << violation.property << ": " << violation.detail << "\n"
              << "  at "
              << sim::format_timestamp(scenario.epoch_unix_ms + outcome.failed_at / 1'000'000)
              << " (virtual time " << seconds(outcome.failed_at) << "), after event "
              << outcome.failed_event << "\n"
              << "  last " << outcome.trace_tail.size() << " trace lines:\n";
    for (const std::string& line : outcome.trace_tail) std::cerr << "    " << line << "\n";
    std::cerr << "  replay: " << replay_command(program, scenario.path, seed) << "\n";
}

std::string summary(const Scenario& scenario, std::uint64_t seed, const Outcome& outcome,
                    double wall_seconds, bool quiet) {
    const double simulated = static_cast<double>(outcome.simulated) / 1e9;
    char speed[96];
    std::snprintf(speed, sizeof speed, "%.0f events/s, %.1f simulated s per wall s",
                  static_cast<double>(outcome.events) / std::max(wall_seconds, 1e-9),
                  simulated / std::max(wall_seconds, 1e-9));
    return concat(scenario.name, " seed ", seed, ": ", outcome.ok() ? "ok" : "FAILED", "; ",
                  seconds(outcome.simulated), " simulated, ", outcome.events, " events, ",
                  outcome.workload.creates_acknowledged, " creates acknowledged, ",
                  outcome.workload.reads_found + outcome.workload.reads_not_found, " reads, ",
                  outcome.leader_changes, " leader changes; liveness ",
                  outcome.liveness_checked ? "checked" : "not checked (faults too late)",
                  quiet ? std::string("; no trace (--quiet)")
                        : concat("; trace hash ", std::hex, outcome.trace_hash, std::dec),
                  "; ", speed);
}

bool open_output(const std::string& path, const char* what, std::ofstream& file) {
    file.open(path);
    if (!file) std::cerr << "simulate: cannot write " << what << " file " << path << "\n";
    return static_cast<bool>(file);
}

/// FNV-1a, 64 bits: a digest of the history's bytes (the trace has its own hash in Outcome).
std::uint64_t fnv1a(const std::string& bytes) {
    std::uint64_t hash = 14695981039346656037ull;
    for (char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

struct RunDigest {
    std::uint64_t trace_hash = 0;
    std::uint64_t events = 0;
    std::string verdict;                  // "ok" or the violated property
    std::optional<std::uint64_t> history; // none if the run wrote no history

    bool operator==(const RunDigest&) const = default;
};

RunDigest digest_run(const Scenario& scenario, std::uint64_t seed) {
    std::ostringstream history;
    const TimedOutcome timed = run_seed(scenario, seed, nullptr, &history);
    RunDigest digest;
    digest.trace_hash = timed.outcome.trace_hash;
    digest.events = timed.outcome.events;
    digest.verdict = timed.outcome.ok() ? "ok" : "FAILED " + timed.outcome.violation->property;
    if (!history.str().empty()) digest.history = fnv1a(history.str());
    return digest;
}

int check_determinism(const Scenario& scenario, std::uint64_t seed) {
    const RunDigest runs[2] = {digest_run(scenario, seed), digest_run(scenario, seed)};
    for (int i = 0; i < 2; ++i) {
        const RunDigest& run = runs[i];
        std::cout << scenario.name << " seed " << seed << " run " << i + 1 << ": trace hash "
                  << std::hex << run.trace_hash << ", history hash ";
        if (run.history) {
            std::cout << *run.history;
        } else {
            std::cout << "none (no history written)";
        }
        std::cout << std::dec << ", " << run.events << " events, " << run.verdict << "\n";
    }
    const bool same = runs[0] == runs[1];
    std::cout << (same ? "deterministic" : "NOT deterministic") << "\n";
    return same ? 0 : 1;
}

/// A failed assertion prints its message and the replay command, then aborts; the documented
/// exit code of a crash is 127, not the shell's 134 for SIGABRT. A debugger still stops at
/// the abort before this runs.
void exit_as_crash(int) { _exit(exit_crash); }

}  // namespace

int command_run(const RunArguments& arguments) {
    const std::optional<Scenario> scenario = load(arguments.scenario_path);
    if (!scenario) return exit_usage;
    const std::uint64_t seed = arguments.seed.value_or(scenario->default_seed);
    set_replay_context(arguments.program, scenario->path, seed);
    std::signal(SIGABRT, exit_as_crash);
    if (arguments.check_determinism) return check_determinism(*scenario, seed);

    std::ofstream trace_file;
    std::ostream* trace = arguments.quiet ? nullptr : &std::cout;
    if (!arguments.trace_file.empty()) {
        if (!open_output(arguments.trace_file, "trace", trace_file)) return exit_usage;
        trace = &trace_file;
    }
    std::ofstream history_file;
    if (!arguments.history_file.empty() &&
        !open_output(arguments.history_file, "history", history_file)) {
        return exit_usage;
    }
    const TimedOutcome timed = run_seed(*scenario, seed, trace,
                                        history_file.is_open() ? &history_file : nullptr,
                                        !arguments.quiet);
    if (trace != nullptr) trace->flush();
    history_file.flush();
    if (!timed.outcome.ok()) {
        if (arguments.quiet) {
            // The quiet run formatted no trace; the same seed replays the same run with it.
            const TimedOutcome traced = run_seed(*scenario, seed, nullptr, nullptr);
            ASSERT(!traced.outcome.ok());
            ASSERT_EQ(traced.outcome.failed_event, timed.outcome.failed_event);
            ASSERT_EQ(traced.outcome.violation->property, timed.outcome.violation->property);
            report_failure(*scenario, traced.outcome, seed, arguments.program);
        } else {
            report_failure(*scenario, timed.outcome, seed, arguments.program);
        }
    }
    std::cerr << latency_line(timed.outcome) << "\n"
              << summary(*scenario, seed, timed.outcome, timed.wall_seconds, arguments.quiet)
              << "\n";
    return exit_code(timed.outcome);
}

}  // namespace raftlink::simulate
