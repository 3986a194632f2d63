// SPDX-License-Identifier: MIT
// `simulate run`: one scenario, one seed, the full trace (or with --quiet none); or
// --check-determinism, which runs the seed twice in this process and compares what the two
// runs produced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace raftlink::simulate {

struct RunArguments {
    std::string program;                 // argv[0], for replay commands
    std::string scenario_path;
    std::optional<std::uint64_t> seed;   // default: the scenario's "seed"
    std::string trace_file;              // empty: stdout
    std::string history_file;            // empty: no history
    bool check_determinism = false;
    /// No trace, not even formatted (the speed of a sweep's worker); a failure is replayed with
    /// tracing on to print its last trace lines.
    bool quiet = false;
};

/// Returns the process exit code (cli_common.h); --check-determinism returns 0 or 1.
int command_run(const RunArguments& arguments);

}  // namespace raftlink::simulate
