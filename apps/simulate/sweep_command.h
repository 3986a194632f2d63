// SPDX-License-Identifier: MIT
// `simulate sweep`: every seed of a set, for each of several scenarios, in worker processes
// (worker_pool.h), reported in seed order (sweep_report.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace raftlink::simulate {

struct SweepArguments {
    std::string program;                     // argv[0], for replay commands
    std::vector<std::string> scenario_paths;
    std::string seeds;                       // seed_ranges.h syntax
    std::size_t jobs = 0;                    // 0: one per core
};

/// Returns the process exit code: 0, 2 for bad input, 1 if workers could not be started,
/// else the most severe class seen (cli_common.h).
int command_sweep(const SweepArguments& arguments);

/// The number of cores online, at least 1.
std::size_t default_jobs();

}  // namespace raftlink::simulate
