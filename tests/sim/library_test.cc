// SPDX-License-Identifier: MIT
// The scenario library: every sim/scenarios/*.json (except seed-startup, which the seed-trace
// and determinism tests cover) runs for a number of seeds with every checker on. A failure
// names the scenario, the seed, the property and the command that replays it.
//
// Seeds per scenario are chosen to keep the whole sim_tests binary within about two minutes on
// a 2-core machine; `simulate sweep FILE --seeds 1..N` runs more.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/text.h"
#include "io/sim/event_loop.h"
#include "io/sim/sim_network.h"
#include "io/sim/simulator.h"

namespace raftlink::sim {
namespace {

/// Seeds per scenario unless listed in `seeds_by_name`.
constexpr std::uint64_t default_seeds = 100;

/// Seeds per scenario, sized by what one run costs (measured on the 2-core machine: from about
/// 1 ms for initial-election to about 190 ms for concurrent-clients, whose many acknowledged
/// creates make the history checks dominate) so that the library takes about a minute of CPU.
/// leader-crash and election-churn also have sweeps of their own in sweep_test.cc.
const std::map<std::string, std::uint64_t> seeds_by_name = {
    {"all-crash-restart", 100},
    {"backup", 20},
    {"basic-agreement", 100},
    {"churn", 80},
    {"churn-unreliable", 100},
    {"concurrent-clients", 20},
    {"disk-faults", 50},
    {"election-churn", 30},
    {"election-partitions", 80},
    {"figure8", 60},
    {"figure8-serial", 60},
    {"figure8-unreliable", 80},
    {"follower-failure", 50},
    {"initial-election", 300},
    {"leader-crash", 30},
    {"long-pause", 100},
    {"no-quorum", 40},
    {"partitioned-leader-rejoins", 100},
    {"reelection", 100},
    {"swarm", 120},
    {"swarm-3", 60},
    {"vote-storm", 100},
    // 60 s runs of about 100 operations per second: the speed benchmark and the latency
    // models (latency_model_test.cc checks the latency figures of the latter two).
    {"speed-5", 4},
    {"seed-latency-model", 2},
    {"pipeline-latency", 2},
    {"stale-leader-reads", 40},
    {"stale-acknowledgements", 30},
    {"unreliable-network", 100},
};

/// Scenarios with tests of their own.
const std::vector<std::string> excluded = {"seed-startup"};

std::vector<std::filesystem::path> library() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(RAFTLINK_SCENARIO_DIR)) {
        if (entry.path().extension() != ".json") continue;
        const std::string stem = entry.path().stem().string();
        if (std::find(excluded.begin(), excluded.end(), stem) != excluded.end()) continue;
        files.push_back(entry.path());
    }
    // Directory order is the file system's; sort so that the test runs the same way everywhere.
    std::sort(files.begin(), files.end());
    return files;
}

Scenario load_library(const std::string& name) {
    auto loaded = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/" + name);
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
    return loaded.value();
}

struct Traced {
    std::string text;
    Outcome outcome;
};

Traced run_traced(const Scenario& scenario, std::uint64_t seed) {
    std::ostringstream trace;
    RunOptions options;
    options.seed = seed;
    options.trace = &trace;
    Traced traced{"", run_scenario(scenario, options)};
    traced.text = trace.str();
    return traced;
}

/// A network of `nodes` whose deliveries are counted per destination.
struct CountingNetwork {
    EventLoop loop;
    Scenario scenario;
    std::vector<int> delivered;
    SimNetwork network;

    explicit CountingNetwork(const Scenario& model)
        : scenario(model), delivered(model.node_count, 0),
          network(loop, scenario, Prng(7), [this](const raft::Message& message) {
              ++delivered[message.to.value - 1];
              return true;
          }) {}

    void send(std::uint64_t from, std::uint64_t to, int count) {
        for (int i = 0; i < count; ++i) {
            raft::Message message;
            message.from = NodeId(from);
            message.to = NodeId(to);
            network.send(message);
        }
        while (!loop.empty()) loop.run_next();
    }
};

TEST_SUITE("sim") {
    TEST_CASE("faults: cuts block directed links until healed; loss and duplication apply") {
        Scenario scenario;
        scenario.node_count = 3;
        CountingNetwork net(scenario);
        const std::uint64_t one_way = net.network.cut({{0, 1}});
        CHECK(net.network.blocked(0, 1));
        CHECK_FALSE(net.network.blocked(1, 0));
        net.send(1, 2, 10);
        net.send(2, 1, 10);
        CHECK(net.delivered == std::vector<int>{10, 0, 0});
        const std::uint64_t isolate = net.network.cut({{2, 0}, {0, 2}, {2, 1}, {1, 2}});
        net.network.heal(one_way);
        net.network.heal(one_way);  // healing twice is harmless
        net.send(1, 2, 5);
        net.send(3, 1, 5);
        CHECK(net.delivered == std::vector<int>{10, 5, 0});
        net.network.heal_all();
        net.network.heal(isolate);  // already healed by heal_all
        CHECK_FALSE(net.network.has_cuts());
        net.send(1, 3, 4);
        CHECK(net.delivered == std::vector<int>{10, 5, 4});

        scenario.loss_ratio = 1.0;
        CountingNetwork lossy(scenario);
        lossy.send(1, 2, 20);
        CHECK(lossy.delivered[1] == 0);
        CHECK(lossy.network.dropped() == 20);

        scenario.loss_ratio = 0.0;
        scenario.duplicate_ratio = 1.0;
        CountingNetwork doubling(scenario);
        doubling.send(1, 2, 20);
        CHECK(doubling.delivered[1] == 40);
    }

    TEST_CASE("faults: a message in flight when a cut begins is dropped") {
        Scenario scenario;
        scenario.node_count = 2;
        scenario.network_latency = LatencyModel{.kind = LatencyModel::Kind::Fixed, .fixed = ms(5)};
        CountingNetwork net(scenario);
        raft::Message message;
        message.from = NodeId(1);
        message.to = NodeId(2);
        net.network.send(message);
        net.loop.at(ms(1), [&net]() { net.network.cut({{0, 1}}); });
        while (!net.loop.empty()) net.loop.run_next();
        CHECK(net.delivered[1] == 0);
    }

    TEST_CASE("faults: every fault kind shows in the swarm's traces, reproducibly") {
        const Scenario swarm = load_library("swarm.json");
        const std::vector<std::string> wanted = {
            "[sim] crash node ",  "[sim] restart node ", "[sim] partition {", "[sim] isolate node ",
            "[sim] one-way cut: ", "[sim] bridge node ", "[sim] pause node ", "[sim] resume node ",
            "[sim] corrupt node ", "[sim] heal phase",   "[sim] heal "};
        std::vector<bool> seen(wanted.size(), false);
        constexpr std::uint64_t seeds_max = 20;
        for (std::uint64_t seed = 1; seed <= seeds_max; ++seed) {
            const Traced run = run_traced(swarm, seed);
            for (std::size_t i = 0; i < wanted.size(); ++i) {
                if (run.text.find(wanted[i]) != std::string::npos) seen[i] = true;
            }
            if (std::find(seen.begin(), seen.end(), false) == seen.end()) break;
        }
        for (std::size_t i = 0; i < wanted.size(); ++i) CHECK_MESSAGE(seen[i], wanted[i]);

        const Traced first = run_traced(swarm, 5);
        const Traced second = run_traced(swarm, 5);
        const Traced other = run_traced(swarm, 6);
        CHECK(first.text.size() > 1000);
        CHECK(first.text == second.text);
        CHECK(first.outcome.events == second.outcome.events);
        CHECK(first.text != other.text);
    }

    TEST_CASE("library: every scenario passes its seeds") {
        const std::vector<std::filesystem::path> files = library();
        CHECK(files.size() >= 18);
        for (const std::filesystem::path& file : files) {
            const std::string stem = file.stem().string();
            CAPTURE(stem);
            auto loaded = load_scenario(file.string());
            REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
            const Scenario& scenario = loaded.value();
            CHECK_MESSAGE(!scenario.description.empty(), stem, " has no description");
            const auto listed = seeds_by_name.find(stem);
            const std::uint64_t seeds =
                listed == seeds_by_name.end() ? default_seeds : listed->second;
            std::uint64_t passed = 0;
            std::uint64_t liveness_checked = 0;
            for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
                RunOptions options;
                options.seed = seed;
                options.interleave_trace = scenario.interleave_trace;
                const Outcome outcome = run_scenario(scenario, options);
                if (outcome.liveness_checked) ++liveness_checked;
                if (outcome.ok()) {
                    ++passed;
                    continue;
                }
                FAIL_CHECK(concat(stem, " seed ", seed, ": ", outcome.violation->property, ": ",
                                  outcome.violation->detail, "\n  replay: simulate run ",
                                  scenario.path, " --seed ", seed));
            }
            MESSAGE(concat(stem, ": ", passed, "/", seeds,
                           " seeds passed, liveness checked in ", liveness_checked));
            // Every library scenario heals in time: each run must end with a liveness check.
            CHECK(liveness_checked == seeds);
        }
    }
}

}  // namespace
}  // namespace raftlink::sim
