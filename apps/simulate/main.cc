// SPDX-License-Identifier: MIT
// simulate: runs scenarios in the deterministic simulator.
//
//   simulate run SCENARIO [--seed N] [--trace FILE | --quiet] [--history FILE]
//       one seed, the full trace to stdout (or FILE, or none), a summary line on stderr
//   simulate run SCENARIO [--seed N] --check-determinism
//       the seed twice in this process; compares trace and history hashes; exit 0 or 1
//   simulate sweep SCENARIO... [--seeds 1..100,250] [--jobs J]
//       every seed of every scenario in J worker processes; a table, then each failure with
//       its replay command
//
// Exit codes: 0 every check passed; 2 bad command line or scenario file; 127 a node crashed
// on an assertion (the hook prints the replay command); 128 liveness failed; 129 safety failed.
// A sweep exits with the most severe of those it saw, or 1 if it could not start workers.
#include <CLI/CLI.hpp>

#include <string>

#include "apps/simulate/cli_common.h"
#include "apps/simulate/heap_settings.h"
#include "apps/simulate/run_command.h"
#include "apps/simulate/sweep_command.h"
#include "apps/simulate/worker_pool.h"
#include "core/text.h"

int main(int argc, char** argv) {
    using namespace raftlink::simulate;
    keep_freed_memory();
    CLI::App app{"raftlink deterministic simulator"};
    app.require_subcommand(1);

    RunArguments run_arguments;
    run_arguments.program = argv[0];
    CLI::App* run = app.add_subcommand("run", "Run one scenario with one seed, printing its trace");
    run->add_option("scenario", run_arguments.scenario_path, "Scenario JSON file")->required();
    run->add_option("--seed", run_arguments.seed, "Seed (default: the scenario's \"seed\")");
    CLI::Option* trace =
        run->add_option("--trace", run_arguments.trace_file, "Write the trace to FILE, not stdout");
    CLI::Option* history = run->add_option("--history", run_arguments.history_file,
                                           "Write the client history to FILE as JSON lines");
    run->add_flag("--check-determinism", run_arguments.check_determinism,
                  "Run the seed twice without printing the trace; compare the trace and history "
                  "hashes; exit 0 if they match, else 1")
        ->excludes(trace)
        ->excludes(history);
    run->add_flag("--quiet", run_arguments.quiet,
                  "Print no trace (none is formatted: a sweep worker's speed), only the summary; "
                  "a failure replays the seed with tracing on to print its report")
        ->excludes(trace)
        ->excludes("--check-determinism");

    SweepArguments sweep_arguments;
    sweep_arguments.program = argv[0];
    sweep_arguments.seeds = "1..100";
    CLI::App* sweep = app.add_subcommand("sweep", "Run scenarios with many seeds");
    sweep->add_option("scenario", sweep_arguments.scenario_paths, "Scenario JSON files")
        ->required();
    sweep->add_option("--seeds", sweep_arguments.seeds,
                      "Seeds: A..B, N, or a comma list such as 1..100,250,900..1000 "
                      "(default 1..100)");
    sweep->add_option("--jobs,-j", sweep_arguments.jobs,
                      raftlink::concat("Worker processes (default: one per core, ",
                                       default_jobs(), " here)"))
        ->check(CLI::Range(std::size_t{1}, workers_max));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : exit_usage;
    }
    if (*run) return command_run(run_arguments);
    return command_sweep(sweep_arguments);
}
