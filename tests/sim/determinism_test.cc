// SPDX-License-Identifier: MIT
// Same scenario and seed -> byte-identical trace within one process; another seed -> another
// trace. (tests/tools/check_determinism.sh checks the same across two processes.)
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "io/sim/simulator.h"

namespace raftlink::sim {
namespace {

struct Traced {
    std::string text;
    Outcome outcome;
};

Traced run_traced(const std::string& name, std::uint64_t seed) {
    auto scenario = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/" + name);
    REQUIRE(scenario.ok());
    std::ostringstream trace;
    RunOptions options;
    options.seed = seed;
    options.trace = &trace;
    options.interleave_trace = scenario.value().interleave_trace;
    Traced traced{"", run_scenario(scenario.value(), options)};
    traced.text = trace.str();
    return traced;
}

/// The history's JSON lines: what the clients saw, event by event.
std::string history_of(const Scenario& scenario, std::uint64_t seed, bool trace_enabled,
                       Outcome& outcome) {
    std::ostringstream history;
    RunOptions options;
    options.seed = seed;
    options.trace_enabled = trace_enabled;
    options.history = &history;
    options.interleave_trace = scenario.interleave_trace;
    outcome = run_scenario(scenario, options);
    return history.str();
}

TEST_SUITE("sim") {
    TEST_CASE("determinism: a run without trace lines is the same run") {
        // Sweeps run with tracing off (no line formatted); the run must not change with it,
        // or a failing seed would not replay with its trace.
        for (const char* name : {"seed-startup.json", "swarm.json", "stale-leader-reads.json"}) {
            CAPTURE(std::string(name));
            auto scenario = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/" + name);
            REQUIRE(scenario.ok());
            for (std::uint64_t seed = 1; seed <= 3; ++seed) {
                CAPTURE(seed);
                Outcome traced;
                Outcome quiet;
                const std::string with = history_of(scenario.value(), seed, true, traced);
                const std::string without = history_of(scenario.value(), seed, false, quiet);
                CHECK(with == without);
                CHECK(traced.events == quiet.events);
                CHECK(traced.ok() == quiet.ok());
                CHECK(traced.workload.creates_acknowledged == quiet.workload.creates_acknowledged);
                CHECK(traced.messages_sent == quiet.messages_sent);
                CHECK(traced.trace_lines > 0);
                CHECK(quiet.trace_lines == 0);
            }
        }
    }

    TEST_CASE("determinism: the same seed gives a byte-identical trace, another seed does not") {
        for (const char* name : {"seed-startup.json", "leader-crash.json"}) {
            CAPTURE(std::string(name));
            const Traced first = run_traced(name, 7);
            const Traced second = run_traced(name, 7);
            const Traced other = run_traced(name, 8);
            REQUIRE(first.outcome.ok());
            CHECK(first.text.size() > 1000);
            CHECK(first.text == second.text);
            CHECK(first.outcome.trace_hash == second.outcome.trace_hash);
            CHECK(first.outcome.events == second.outcome.events);
            CHECK(first.text != other.text);
            CHECK(first.outcome.trace_hash != other.outcome.trace_hash);
        }
    }
}

}  // namespace
}  // namespace raftlink::sim
