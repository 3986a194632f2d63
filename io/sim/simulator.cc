// SPDX-License-Identifier: MIT
#include "io/sim/simulator.h"

#include <algorithm>
#include <utility>

#include "core/text.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/fault_injector.h"
#include "io/sim/history.h"
#include "io/sim/linearizability.h"
#include "io/sim/liveness.h"
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
                         Prng::derive(options.seed, "sim.trace", 0), options.trace,
                         options.trace_enabled);
    Cluster cluster(scenario, options.seed, loop, printer);
    Checker checker(cluster.size(), cluster.code_key());
    Outcome outcome;
    std::optional<Violation> reported;
    History history;
    Workload workload(scenario, options.seed, loop, cluster, checker, history,
                      [&reported](const Violation& violation) {
                          if (!reported) reported = violation;
                      });
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Nanos start = scenario.start_at.empty() ? 0 : scenario.start_at[i];
        loop.at(start, [&cluster, i]() { cluster.boot(i); });
    }
    FaultInjector faults(scenario, options.seed, loop, cluster, printer);
    const Nanos healed_at = faults.schedule();  // FaultInjector::never_healed if never
    workload.start();
    const Nanos window = scenario.liveness_bound > 0
                             ? scenario.liveness_bound
                             : liveness_window_elections *
                                   (scenario.election_timeout_max + scenario.debug_addend);
    LivenessMonitor liveness(healed_at, window, scenario.duration);

    std::optional<std::size_t> leader;
    // checker.leadership_version() for `leader`: the checker sees every node that ran
    // something after each event, so it knows when the leader may have changed. Only then is
    // the liveness monitor told (the leader it was told of holds until it is told again).
    std::uint64_t leader_version = ~std::uint64_t{0};
    Nanos leaderless_since = 0;  // when `leader` last became empty
    // A disabled printer buffers nothing: flushing it after every event was a call for nothing.
    const bool tracing = printer.enabled();
    while (!loop.empty()) {
        const EventLoop::Next next = loop.peek();
        if (next.time > scenario.duration) break;
        if (auto late = liveness.check_before(next.time, history)) {
            reported = late;
            outcome.failed_at = liveness.violated_at();
            outcome.failed_event = loop.events_run();
            break;
        }
        loop.run(next);
        if (tracing) printer.flush();
        if (!reported) reported = checker.check(cluster);
        if (reported) {
            outcome.failed_at = loop.now();
            outcome.failed_event = loop.events_run();
            break;
        }
        if (checker.leadership_version() != leader_version) {  // else the same leader
            leader_version = checker.leadership_version();
            const auto now_leader = cluster.leader();
            if (now_leader && now_leader != leader) ++outcome.leader_changes;
            if (!now_leader && leader) leaderless_since = loop.now();
            leader = now_leader;
            liveness.observe(loop.now(), leader.has_value());
        }
    }
    outcome.liveness_checked = liveness.active();
    if (!reported) {
        if (auto late = liveness.check_before(scenario.duration + 1, history)) {
            reported = late;
            outcome.failed_at = liveness.violated_at();
        } else {
            const Nanos leaderless_for = leader ? 0 : scenario.duration - leaderless_since;
            reported = checker.at_end(cluster, outcome.liveness_checked, leaderless_for, window);
            outcome.failed_at = scenario.duration;
        }
        outcome.failed_event = loop.events_run();
    }
    // Outstanding operations end as info: at the end of the run, or at the last event run.
    history.finish(reported ? loop.now() : scenario.duration);
    const LinearizabilityReport linearizability = check_linearizability(history.operations());
    if (!reported && linearizability.verdict == Verdict::NotLinearizable) {
        reported = Violation{Violation::Kind::Safety, "linearizability",
                             concat("short id ", linearizability.key, ": ",
                                    linearizability.explanation)};
    }
    if (!reported) {
        if (auto stale = check_stale_reads(history.operations())) {
            reported = Violation{Violation::Kind::Safety, "never a wrong URL",
                                 concat("short id ", stale->key, ": ", stale->explanation)};
        }
    }
    if (options.history != nullptr) history.write_jsonl(*options.history);
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
    outcome.operations = history.size();
    outcome.linearizable_reads_checked = linearizability.linearizable_reads_checked;
    outcome.linearizability_keys_checked = linearizability.keys_checked;
    outcome.linearizability_keys_inconclusive = linearizability.keys_inconclusive;
    outcome.create_latency = latency_of(history, OperationFunction::Create);
    outcome.read_latency = latency_of(history, OperationFunction::Read);
    return outcome;
}

}  // namespace raftlink::sim
