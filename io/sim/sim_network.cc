// SPDX-License-Identifier: MIT
#include "io/sim/sim_network.h"

#include <utility>

#include "io/sim/latency.h"

namespace raftlink::sim {

SimNetwork::SimNetwork(EventLoop& loop, LatencyModel latency, Prng prng, Deliver deliver)
    : loop_(loop), latency_(latency), prng_(prng), deliver_(std::move(deliver)) {}

void SimNetwork::send(const raft::Message& message) {
    ++sent_;
    loop_.after(sample_delay(), [this, message]() {
        if (deliver_(message)) ++delivered_;
    });
}

Nanos SimNetwork::sample_delay() { return sample_latency(latency_, prng_); }

}  // namespace raftlink::sim
