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

TEST_SUITE("sim") {
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
