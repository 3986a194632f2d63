// SPDX-License-Identifier: MIT
// The seed document's write latency model, E[w] = heartbeatInterval/2 + networkRoundtripQuorum
// + networkRoundtrip, reproduced in the simulator: with replicate_on_heartbeat_only a create
// waits for the next heartbeat tick (half an interval on average, since clients arrive
// independently of the tick's phase), then one round trip to a quorum (the follower persists
// before it acknowledges), then the answer; plus the client's own round trip to the leader.
//
// NB: these latencies are virtual time, computed by the deterministic simulator from the
// scenario's fixed delays; they do not depend on the machine running the test, so asserting
// on them is as legitimate as asserting on any other output of a seeded run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "io/sim/latency.h"
#include "io/sim/simulator.h"

namespace raftlink::sim {
namespace {

Scenario load_library(const std::string& name) {
    auto loaded = load_scenario(std::string(RAFTLINK_SCENARIO_DIR) + "/" + name);
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
    return loaded.value();
}

/// A fixed delay of the scenario (the formula needs delays without variance).
double fixed_ms(const LatencyModel& model) {
    REQUIRE(model.kind == LatencyModel::Kind::Fixed);
    return static_cast<double>(model.fixed) / 1e6;
}

/// In the simulator a client's request and its answer each cross the network once, with the
/// scenario's default latency ("network.latency"), so networkRoundtrip is two of those.
double client_round_trip_ms(const Scenario& scenario) {
    return 2 * fixed_ms(scenario.network_latency);
}

/// Leader to a follower and back, the follower persisting the entries before it answers;
/// with identical links the first acknowledgement completes the quorum of three.
double quorum_round_trip_ms(const Scenario& scenario) {
    return 2 * fixed_ms(scenario.network_latency) + fixed_ms(scenario.fsync_latency);
}

double mean_create_ms(const Scenario& scenario, std::uint64_t seed) {
    RunOptions options;
    options.seed = seed;
    options.trace_enabled = false;
    const Outcome outcome = run_scenario(scenario, options);
    REQUIRE(outcome.ok());
    REQUIRE(outcome.create_latency.count > 1000);  // a mean of many writes, not of a few
    return static_cast<double>(outcome.create_latency.mean) / 1e6;
}

TEST_SUITE("sim") {
    TEST_CASE("latency: an exponential delay is min + llround(the capped draw), exactly") {
        // sample_latency rounds without libm's llround; the delays must not change.
        for (const Nanos mean : {Nanos{1}, Nanos{3}, Nanos{2'000'000}, Nanos{987'654'321}}) {
            LatencyModel model;
            model.kind = LatencyModel::Kind::Exponential;
            model.min = 300'000;
            model.mean = mean;
            Prng sampled(42);
            Prng reference(42);
            for (int i = 0; i < 100'000; ++i) {
                const double tail = reference.exponential(static_cast<double>(mean));
                const double capped = std::min(tail, 1000.0 * static_cast<double>(mean));
                REQUIRE(sample_latency(model, sampled) == model.min + std::llround(capped));
            }
        }
    }

    TEST_CASE("latency: the seed's model E[w] = heartbeat/2 + quorum RTT + client RTT holds") {
        const Scenario seed_model = load_library("seed-latency-model.json");
        const Scenario pipeline = load_library("pipeline-latency.json");
        REQUIRE(seed_model.replicate_on_heartbeat_only);
        REQUIRE_FALSE(pipeline.replicate_on_heartbeat_only);
        REQUIRE(seed_model.node_count == 3);
        const double heartbeat_ms = static_cast<double>(seed_model.heartbeat_interval) / 1e6;
        const double predicted = heartbeat_ms / 2 + quorum_round_trip_ms(seed_model) +
                                 client_round_trip_ms(seed_model);
        const double pipelined =
            quorum_round_trip_ms(pipeline) + client_round_trip_ms(pipeline);
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            CAPTURE(seed);
            const double measured = mean_create_ms(seed_model, seed);
            CAPTURE(measured);
            CAPTURE(predicted);
            CHECK(std::abs(measured - predicted) <= 0.10 * predicted);
            // Raft's pipeline sends a proposal at once: no heartbeat wait at all.
            const double measured_pipeline = mean_create_ms(pipeline, seed);
            CAPTURE(measured_pipeline);
            CHECK(measured_pipeline < measured);
            CHECK(std::abs(measured_pipeline - pipelined) <= 0.10 * pipelined);
        }
    }
}

}  // namespace
}  // namespace raftlink::sim
