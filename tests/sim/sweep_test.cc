// SPDX-License-Identifier: MIT
// Simulation sweeps: many seeds of a scenario, every checker on after every event. A failure
// names the seed, the property and the command that replays it.
#include <doctest/doctest.h>

#include <string>

#include "core/text.h"
#include "io/sim/simulator.h"

namespace raftlink::sim {
namespace {

Scenario load(const std::string& name) {
    const std::string path = std::string(RAFTLINK_SCENARIO_DIR) + "/" + name;
    auto scenario = load_scenario(path);
    REQUIRE_MESSAGE(scenario.ok(), (scenario.ok() ? "" : scenario.error().message));
    return scenario.value();
}

struct SweepResult {
    std::uint64_t failures = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t leader_changes = 0;
    std::uint64_t liveness_checked = 0;
};

SweepResult sweep(const Scenario& scenario, std::uint64_t first, std::uint64_t last) {
    SweepResult result;
    for (std::uint64_t seed = first; seed <= last; ++seed) {
        RunOptions options;
        options.seed = seed;
        const Outcome outcome = run_scenario(scenario, options);
        result.acknowledged += outcome.workload.creates_acknowledged;
        result.leader_changes += outcome.leader_changes;
        if (outcome.liveness_checked) ++result.liveness_checked;
        if (!outcome.ok()) {
            ++result.failures;
            FAIL_CHECK(concat("seed ", seed, ": ", outcome.violation->property, ": ",
                              outcome.violation->detail, "\n  replay: simulate run ",
                              scenario.path, " --seed ", seed));
        }
    }
    return result;
}

TEST_SUITE("sim") {
    TEST_CASE("sweep: 200 seeds of a leader crash and restart under random delays") {
        const Scenario scenario = load("leader-crash.json");
        const SweepResult result = sweep(scenario, 1, 200);
        CHECK(result.failures == 0);
        // The runs must have exercised what they claim to: writes, failover, liveness.
        CHECK(result.acknowledged > 200 * 100);
        CHECK(result.leader_changes >= 200 * 2);
        CHECK(result.liveness_checked == 200);
    }

    TEST_CASE("sweep: 100 seeds of election churn on 5 nodes with repeated leader crashes") {
        const Scenario scenario = load("election-churn.json");
        const SweepResult result = sweep(scenario, 1, 100);
        CHECK(result.failures == 0);
        CHECK(result.acknowledged > 100 * 50);
        CHECK(result.leader_changes >= 100 * 3);
    }
}

}  // namespace
}  // namespace raftlink::sim

namespace raftlink::sim {
namespace {

TEST_SUITE("sim") {
    TEST_CASE("regression: seeds that once found a bug keep passing") {
        struct Case {
            const char* scenario;
            std::uint64_t seed;
            const char* bug;
        };
        const Case cases[] = {
            {"election-partitions.json", 145,
             "a re-elected leader proposed at an index whose earlier create still waited"},
            {"swarm.json", 31, "the same bug, reached through the random fault mix"},
        };
        for (const Case& c : cases) {
            CAPTURE(std::string(c.scenario));
            CAPTURE(c.seed);
            RunOptions options;
            options.seed = c.seed;
            const Outcome outcome = run_scenario(load(c.scenario), options);
            CHECK_MESSAGE(outcome.ok(), c.bug, ": ",
                          outcome.ok() ? "" : outcome.violation->detail);
        }
    }
}

}  // namespace
}  // namespace raftlink::sim
