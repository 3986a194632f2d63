// SPDX-License-Identifier: MIT
// What the commands of bench share: exit codes, parsing of the option values CLI11 leaves as
// text (durations, modes), and writing the optional output files.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "apps/bench/load_run.h"

namespace raftlink::bench {

/// 0: the run completed; 1: it could not (unreachable endpoint, a node that would not start,
/// an unwritable file); 2: a bad command line; 130: stopped by Ctrl-C.
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int exit_interrupted = 130;

/// A CLI11 check that accepts what parse_duration accepts.
CLI::Validator duration_validator();

/// parse_duration for a value the validator already accepted.
DurationNs parse_checked_duration(const std::string& text);

/// "auto", "always", "never" (--progress), with --quiet meaning never.
ProgressMode parse_progress_mode(const std::string& text, bool quiet);

/// Writes the JSON and SVG files of a run when their paths are non-empty; prints a message to
/// stderr and returns false if one cannot be written.
bool write_run_outputs(const LoadRun& run, const std::string& json_path, bool json_results,
                       const std::string& svg_path);

}  // namespace raftlink::bench
