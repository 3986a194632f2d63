// SPDX-License-Identifier: MIT
// Injects a scenario's faults into a simulated cluster at their (seeded) times.
//
// Each fault's time is drawn once from its range when the run starts; its target ("leader",
// "crashed", a node id) is resolved when it fires, and a fault that does not apply then is
// skipped with a [sim] trace line, never silently.
#pragma once

#include <optional>
#include <vector>

#include "core/prng.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {

class FaultInjector {
public:
    FaultInjector(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, Cluster& cluster,
                  TracePrinter& printer);

    /// Draws each fault's time and schedules it; returns the time of the last fault.
    Nanos schedule();

private:
    void inject(const Fault& fault);
    std::optional<std::size_t> resolve(const Fault& fault) const;

    const Scenario& scenario_;
    EventLoop& loop_;
    Cluster& cluster_;
    TracePrinter& printer_;
    Prng prng_;
    std::vector<std::size_t> crashed_;  // oldest first
};

}  // namespace raftlink::sim
