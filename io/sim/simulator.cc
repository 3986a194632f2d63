// SPDX-License-Identifier: MIT
#include "io/sim/simulator.h"

#include <algorithm>
#include <utility>

#include "core/text.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/fault_injector.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {
namespace {

// Faults heal this many maximum election timeouts before the end of a run, or liveness is
// not demanded: enough for a few elections to fail by split votes and one to succeed.
constexpr std::int64_t liveness_window_elections = 4;

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
    FaultInjector faults(scenario, options.seed, loop, cluster, printer);
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
