// SPDX-License-Identifier: MIT
// The simulated network between the nodes of one cluster.
//
// Each message is delivered after a delay drawn from the scenario's latency model, so
// messages reorder whenever delays differ; a message to a node that is down, or that crashed
// while the message was in flight, is lost. The network only calls a delivery function; it
// knows nothing of Raft.
#pragma once

#include <cstdint>
#include <functional>

#include "core/prng.h"
#include "core/raft/messages.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

class SimNetwork {
public:
    /// Called at delivery time; returns false if the destination could not take the message.
    using Deliver = std::function<bool(const raft::Message&)>;

    SimNetwork(EventLoop& loop, LatencyModel latency, Prng prng, Deliver deliver);

    /// Sends `message`; it arrives after a random delay, or is lost.
    void send(const raft::Message& message);
    /// A delay for one trip across the network (clients use it too).
    Nanos sample_delay();

    std::uint64_t sent() const { return sent_; }
    std::uint64_t delivered() const { return delivered_; }

private:
    EventLoop& loop_;
    LatencyModel latency_;
    Prng prng_;
    Deliver deliver_;
    std::uint64_t sent_ = 0;
    std::uint64_t delivered_ = 0;
};

}  // namespace raftlink::sim
