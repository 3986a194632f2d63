// SPDX-License-Identifier: MIT
// What the run and sweep commands share: exit codes, replay commands, loading a scenario,
// and running one seed with its wall time measured.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "io/sim/simulator.h"

namespace raftlink::simulate {

// TigerBeetle's convention, ordered by severity: the sweep exits with the largest it saw.
inline constexpr int exit_ok = 0;
inline constexpr int exit_usage = 2;       // a bad command line or scenario file
inline constexpr int exit_crash = 127;     // a node hit an assertion
inline constexpr int exit_liveness = 128;
inline constexpr int exit_safety = 129;

/// `program run path --seed N`, with arguments quoted for a POSIX shell where needed.
std::string replay_command(const std::string& program, const std::string& path,
                           std::uint64_t seed);

/// 0 when every check passed, else the exit code of the violation's class.
int exit_code(const sim::Outcome& outcome);

/// "1.234 s" for a virtual duration.
std::string seconds(Nanos nanos);

/// "latency (virtual time): creates 5864 ok: mean 29.102 ms, p50 ..., p99 ..., max ...;
/// reads ...": what clients waited for their acknowledged operations.
std::string latency_line(const sim::Outcome& outcome);

/// Loads a scenario; on failure prints the loader's message (file, field, expectation).
std::optional<sim::Scenario> load(const std::string& path);

/// Makes an assertion failure print this seed and its replay command (core/assert.h hook).
void set_replay_context(const std::string& program, const std::string& path, std::uint64_t seed);

struct TimedOutcome {
    sim::Outcome outcome;
    double wall_seconds = 0;
};

/// Runs one seed of a scenario; `trace` and `history` may be null. With `trace_enabled`
/// false no trace line is formatted (sim::RunOptions::trace_enabled); `trace` must be null.
TimedOutcome run_seed(const sim::Scenario& scenario, std::uint64_t seed, std::ostream* trace,
                      std::ostream* history, bool trace_enabled = true);

}  // namespace raftlink::simulate
