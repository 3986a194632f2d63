// SPDX-License-Identifier: MIT
// simulate: runs scenarios in the deterministic simulator.
//
//   simulate run SCENARIO [--seed N] [--trace FILE]   one seed, full trace to stdout (or FILE)
//   simulate sweep SCENARIO --seeds A..B               many seeds, a summary and replay lines
//
// Exit codes: 0 every check passed; 2 bad command line or scenario file; 127 a node crashed
// on an assertion (the hook prints the replay command); 128 liveness failed; 129 safety failed.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/simulator.h"
#include "io/sim/trace_printer.h"

namespace {

using raftlink::concat;
using namespace raftlink::sim;

constexpr int exit_usage = 2;
constexpr int exit_liveness = 128;
constexpr int exit_safety = 129;

// What the assertion hook prints: set before each run so that a crash names its replay.
std::string replay_context;

std::string assert_context() { return replay_context; }

std::string replay_command(const std::string& program, const std::string& path,
                           std::uint64_t seed) {
    return concat(program, " run ", path, " --seed ", seed);
}

int exit_code(const Outcome& outcome) {
    if (outcome.ok()) return 0;
    return outcome.violation->kind == Violation::Kind::Safety ? exit_safety : exit_liveness;
}

std::string seconds(raftlink::Nanos nanos) {
    return raftlink::format_millis(nanos / 1000) + " s";
}

void report_failure(const Scenario& scenario, const Outcome& outcome, std::uint64_t seed,
                    const std::string& program) {
    const Violation& violation = *outcome.violation;
    std::cerr << "FAILED: " << violation.property << ": " << violation.detail << "\n"
              << "  at " << format_timestamp(scenario.epoch_unix_ms + outcome.failed_at / 1'000'000)
              << " (virtual time " << seconds(outcome.failed_at) << "), after event "
              << outcome.failed_event << "\n"
              << "  last " << outcome.trace_tail.size() << " trace lines:\n";
    for (const std::string& line : outcome.trace_tail) std::cerr << "    " << line << "\n";
    std::cerr << "  replay: " << replay_command(program, scenario.path, seed) << "\n";
}

std::string summary(const Scenario& scenario, std::uint64_t seed, const Outcome& outcome,
                    double wall_seconds) {
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
                  "; trace hash ", std::hex, outcome.trace_hash, std::dec, "; ", speed);
}

Outcome run_one(const Scenario& scenario, std::uint64_t seed, std::ostream* trace,
                const std::string& program, double& wall_seconds) {
    replay_context = concat("seed ", seed, "; replay: ", replay_command(program, scenario.path, seed));
    RunOptions options;
    options.seed = seed;
    options.trace = trace;
    options.interleave_trace = scenario.interleave_trace;
    const auto start = std::chrono::steady_clock::now();
    Outcome outcome = run_scenario(scenario, options);
    wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

bool load(const std::string& path, Scenario& scenario) {
    auto loaded = load_scenario(path);
    if (!loaded) {
        std::cerr << "simulate: " << loaded.error().message << "\n";
        return false;
    }
    scenario = std::move(loaded.value());
    return true;
}

int command_run(const std::string& program, const std::string& path,
                std::optional<std::uint64_t> seed_flag, const std::string& trace_file) {
    Scenario scenario;
    if (!load(path, scenario)) return exit_usage;
    const std::uint64_t seed = seed_flag.value_or(scenario.default_seed);
    std::ofstream file;
    std::ostream* trace = &std::cout;
    if (!trace_file.empty()) {
        file.open(trace_file);
        if (!file) {
            std::cerr << "simulate: cannot write trace file " << trace_file << "\n";
            return exit_usage;
        }
        trace = &file;
    }
    double wall = 0;
    const Outcome outcome = run_one(scenario, seed, trace, program, wall);
    trace->flush();
    if (!outcome.ok()) report_failure(scenario, outcome, seed, program);
    std::cerr << summary(scenario, seed, outcome, wall) << "\n";
    return exit_code(outcome);
}

bool parse_seed_range(const std::string& text, std::uint64_t& first, std::uint64_t& last) {
    const auto dots = text.find("..");
    try {
        if (dots == std::string::npos) {
            first = last = std::stoull(text);
        } else {
            first = std::stoull(text.substr(0, dots));
            last = std::stoull(text.substr(dots + 2));
        }
    } catch (const std::exception&) {
        return false;
    }
    return first <= last;
}

int command_sweep(const std::string& program, const std::string& path, const std::string& seeds) {
    Scenario scenario;
    if (!load(path, scenario)) return exit_usage;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    if (!parse_seed_range(seeds, first, last)) {
        std::cerr << "simulate: --seeds: expected A..B with A <= B (e.g. 1..200), got " << seeds
                  << "\n";
        return exit_usage;
    }
    std::uint64_t failures = 0;
    std::uint64_t events = 0;
    double wall_total = 0;
    raftlink::Nanos simulated = 0;
    int worst = 0;
    for (std::uint64_t seed = first; seed <= last; ++seed) {
        double wall = 0;
        const Outcome outcome = run_one(scenario, seed, nullptr, program, wall);
        wall_total += wall;
        events += outcome.events;
        simulated += outcome.simulated;
        if (!outcome.ok()) {
            ++failures;
            worst = std::max(worst, exit_code(outcome));
            std::cout << "seed " << seed << ": " << outcome.violation->property << ": "
                      << outcome.violation->detail << "\n  replay: "
                      << replay_command(program, path, seed) << "\n";
        }
    }
    const std::uint64_t count = last - first + 1;
    char speed[128];
    std::snprintf(speed, sizeof speed, "%.0f events/s, %.0f simulated s per wall s",
                  static_cast<double>(events) / std::max(wall_total, 1e-9),
                  static_cast<double>(simulated) / 1e9 / std::max(wall_total, 1e-9));
    std::cout << scenario.name << ": " << count - failures << "/" << count << " seeds passed, "
              << failures << " failed; " << speed << "\n";
    return worst;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"raftlink deterministic simulator"};
    app.require_subcommand(1);
    const std::string program = argv[0];

    std::string run_path;
    std::optional<std::uint64_t> run_seed;
    std::string trace_file;
    CLI::App* run = app.add_subcommand("run", "Run one scenario with one seed, printing its trace");
    run->add_option("scenario", run_path, "Scenario JSON file")->required();
    run->add_option("--seed", run_seed, "Seed (default: the scenario's \"seed\")");
    run->add_option("--trace", trace_file, "Write the trace to FILE instead of stdout");

    std::string sweep_path;
    std::string seeds = "1..100";
    CLI::App* sweep = app.add_subcommand("sweep", "Run one scenario with many seeds");
    sweep->add_option("scenario", sweep_path, "Scenario JSON file")->required();
    sweep->add_option("--seeds", seeds, "Seed range A..B (default 1..100)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : exit_usage;
    }
    raftlink::set_assert_context_hook(assert_context);
    if (*run) return command_run(program, run_path, run_seed, trace_file);
    return command_sweep(program, sweep_path, seeds);
}
