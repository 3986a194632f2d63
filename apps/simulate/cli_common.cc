// SPDX-License-Identifier: MIT
#include "apps/simulate/cli_common.h"

#include <chrono>
#include <iostream>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::simulate {
namespace {

// What the assertion hook prints; a plain function pointer cannot capture, hence a global of
// the command line program (not of the core).
std::string replay_context;

std::string assert_context() { return replay_context; }

std::string shell_quote(const std::string& word) {
    const bool plain = !word.empty() && word.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-") ==
        std::string::npos;
    if (plain) return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

}  // namespace

std::string replay_command(const std::string& program, const std::string& path,
                           std::uint64_t seed) {
    return concat(shell_quote(program), " run ", shell_quote(path), " --seed ", seed);
}

int exit_code(const sim::Outcome& outcome) {
    if (outcome.ok()) return exit_ok;
    return outcome.violation->kind == sim::Violation::Kind::Safety ? exit_safety : exit_liveness;
}

std::string seconds(Nanos nanos) { return format_millis(nanos / 1000) + " s"; }

namespace {

std::string latency_text(const char* what, const sim::LatencySummary& latency) {
    if (latency.count == 0) return concat(what, " none");
    return concat(what, " ", latency.count, " ok: mean ", format_millis(latency.mean),
                  " ms, p50 ", format_millis(latency.p50), ", p99 ", format_millis(latency.p99),
                  ", max ", format_millis(latency.max));
}

}  // namespace

std::string latency_line(const sim::Outcome& outcome) {
    return concat("latency (virtual time, invoke to ok): ",
                  latency_text("creates", outcome.create_latency), "; ",
                  latency_text("reads", outcome.read_latency));
}

std::optional<sim::Scenario> load(const std::string& path) {
    auto loaded = sim::load_scenario(path);
    if (!loaded) {
        std::cerr << "simulate: " << loaded.error().message << "\n";
        return std::nullopt;
    }
    return std::move(loaded.value());
}

void set_replay_context(const std::string& program, const std::string& path, std::uint64_t seed) {
    replay_context = concat("seed ", seed, "; replay: ", replay_command(program, path, seed));
    set_assert_context_hook(assert_context);
}

TimedOutcome run_seed(const sim::Scenario& scenario, std::uint64_t seed, std::ostream* trace,
                      std::ostream* history, bool trace_enabled) {
    ASSERT(trace_enabled || trace == nullptr);
    sim::RunOptions options;
    options.trace_enabled = trace_enabled;
    options.seed = seed;
    options.trace = trace;
    options.history = history;
    options.interleave_trace = scenario.interleave_trace;
    const auto start = std::chrono::steady_clock::now();
    TimedOutcome timed{sim::run_scenario(scenario, options), 0};
    timed.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return timed;
}

}  // namespace raftlink::simulate
