// SPDX-License-Identifier: MIT
#include "io/sim/fault_injector.h"

#include <algorithm>

#include "core/text.h"
#include "io/sim/latency.h"

namespace raftlink::sim {

FaultInjector::FaultInjector(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                             Cluster& cluster, TracePrinter& printer)
    : scenario_(scenario), loop_(loop), cluster_(cluster), printer_(printer),
      prng_(Prng::derive(seed, "sim.faults", 0)) {}

Nanos FaultInjector::schedule() {
    Nanos last = 0;
    for (const Fault& fault : scenario_.faults) {
        const Nanos at = sample_time(fault.at, prng_);
        last = std::max(last, at);
        loop_.at(at, [this, fault]() { inject(fault); });
    }
    return last;
}

void FaultInjector::inject(const Fault& fault) {
    const auto target = resolve(fault);
    if (!target) {
        printer_.sim_line(concat(fault.kind == FaultKind::Crash ? "crash" : "restart",
                                 ": no node matches the target; skipped"));
        return;
    }
    if (fault.kind == FaultKind::Crash) {
        printer_.sim_line(concat("crash node ", *target + 1));
        cluster_.crash(*target);
        crashed_.push_back(*target);
    } else {
        printer_.sim_line(concat("restart node ", *target + 1));
        std::erase(crashed_, *target);
        cluster_.boot(*target);
    }
}

std::optional<std::size_t> FaultInjector::resolve(const Fault& fault) const {
    switch (fault.target.kind) {
        case FaultTarget::Kind::Leader: return cluster_.leader();
        case FaultTarget::Kind::Crashed:
            if (crashed_.empty()) return std::nullopt;
            return crashed_.front();
        case FaultTarget::Kind::Node: {
            const std::size_t index = fault.target.node - 1;
            const bool up = cluster_.up(index);
            if ((fault.kind == FaultKind::Crash) != up) return std::nullopt;
            return index;
        }
    }
    return std::nullopt;
}

}  // namespace raftlink::sim
