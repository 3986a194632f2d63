// SPDX-License-Identifier: MIT
#include "io/sim/simulator.h"

#include <algorithm>
#include <utility>

#include "core/text.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/latency.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {
namespace {

// Faults heal this many maximum election timeouts before the end of a run, or liveness is
// not demanded: enough for a few elections to fail by split votes and one to succeed.
constexpr std::int64_t liveness_window_elections = 4;

class FaultTimeline {
public:
    FaultTimeline(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, Cluster& cluster,
                  TracePrinter& printer)
        : scenario_(scenario), loop_(loop), cluster_(cluster), printer_(printer),
          prng_(Prng::derive(seed, "sim.faults", 0)) {}

    /// Draws each fault's time and schedules it; returns the time of the last fault.
    Nanos schedule() {
        Nanos last = 0;
        for (const Fault& fault : scenario_.faults) {
            const Nanos at = sample_time(fault.at, prng_);
            last = std::max(last, at);
            loop_.at(at, [this, fault]() { inject(fault); });
        }
        return last;
    }

private:
    void inject(const Fault& fault) {
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

    std::optional<std::size_t> resolve(const Fault& fault) const {
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

    const Scenario& scenario_;
    EventLoop& loop_;
    Cluster& cluster_;
    TracePrinter& printer_;
    Prng prng_;
    std::vector<std::size_t> crashed_;  // oldest first
};

}  // namespace

Outcome run_scenario(const Scenario& scenario, const RunOptions& options) {
    EventLoop loop;
    TracePrinter printer(loop, scenario.epoch_unix_ms, options.interleave_trace,
                         Prng::derive(options.seed, "sim.trace", 0), options.trace);
    Cluster cluster(scenario, options.seed, loop, printer);
    Checker checker(cluster.size());
    Outcome outcome;
    std::optional<Violation> reported;
    Workload workload(scenario, options.seed, loop, cluster, checker,
                      [&reported](const Violation& violation) {
                          if (!reported) reported = violation;
                      });
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Nanos start = scenario.start_at.empty() ? 0 : scenario.start_at[i];
        loop.at(start, [&cluster, i]() { cluster.boot(i); });
    }
    FaultTimeline faults(scenario, options.seed, loop, cluster, printer);
    const Nanos last_fault = faults.schedule();
    workload.start();

    std::optional<std::size_t> leader;
    while (!loop.empty() && loop.next_time() <= scenario.duration) {
        loop.run_next();
        printer.flush();
        if (!reported) reported = checker.check(cluster);
        if (reported) {
            outcome.failed_at = loop.now();
            outcome.failed_event = loop.events_run();
            break;
        }
        const auto now_leader = cluster.leader();
        if (now_leader && now_leader != leader) ++outcome.leader_changes;
        leader = now_leader;
    }
    if (!reported) {
        const Nanos window = liveness_window_elections *
                             (scenario.election_timeout_max + scenario.debug_addend);
        outcome.liveness_checked = last_fault + window <= scenario.duration;
        reported = checker.at_end(cluster, outcome.liveness_checked);
        outcome.failed_at = scenario.duration;
        outcome.failed_event = loop.events_run();
    }
    printer.flush();
    outcome.violation = reported;
    outcome.events = loop.events_run();
    outcome.simulated = reported ? outcome.failed_at : scenario.duration;
    outcome.trace_hash = printer.hash();
    outcome.trace_lines = printer.lines();
    outcome.trace_tail = printer.tail();
    outcome.workload = workload.stats();
    outcome.messages_sent = cluster.network().sent();
    outcome.fsyncs = cluster.fsyncs();
    return outcome;
}

}  // namespace raftlink::sim
