// SPDX-License-Identifier: MIT
// Injects a scenario's faults into a simulated cluster at their (seeded) times: the explicit
// timeline ("faults") and the random mix ("random_faults") with its healing phase.
//
// Each explicit fault's time is drawn once from its range when the run starts; its target
// ("leader", "crashed", a node id) is resolved when it fires, and a fault that does not apply
// then is skipped with a [sim] trace line, never silently. Every fault that fires prints a
// [sim] line ("crash node 2", "partition {1,2} | {3}", "pause node 2 for 300 ms", "heal").
//
// The random mix draws each kind's arrival times from its own stream (a Poisson process at
// the kind's rate), and targets and durations from another, all derived from the run seed.
// Crashed nodes restart after down_ms and cuts heal after heal_ms. At until_ms the healing
// phase heals every cut, ends every pause and restarts every crashed node (except one that
// refuses to start on a corrupt disk). Unless allow_quorum_loss is set, a random crash or
// corruption never leaves more than a minority of nodes "out" (down, or holding a corrupted
// disk, which may keep them down for good), so a majority can always make progress.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/prng.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"
#include "io/sim/sim_network.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {

class FaultInjector {
public:
    /// What schedule() returns when some cut is never healed: liveness cannot be demanded.
    static constexpr Nanos never_healed = std::numeric_limits<Nanos>::max();

    FaultInjector(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, Cluster& cluster,
                  TracePrinter& printer);

    /// Draws every fault's time and schedules it; returns the time by which every fault has
    /// healed: the last crash, restart, corruption or heal, the end of the last pause, the
    /// random mix's healing phase, or never_healed if a cut of the timeline is never healed.
    Nanos schedule();

private:
    using Link = SimNetwork::Link;

    Nanos schedule_timeline();
    Nanos schedule_random();
    void inject(const Fault& fault);
    void inject_node_fault(const Fault& fault, std::size_t target);
    void inject_random(FaultKind kind);
    void random_crash();
    void random_cut(FaultKind kind);
    void random_pause();
    void random_corrupt();
    void heal_phase();

    void crash(std::size_t index);
    void restart(std::size_t index);
    void corrupt(std::size_t index);
    /// Cuts `links` and prints "<description>"; returns the cut's id.
    std::uint64_t cut(const std::vector<Link>& links, const std::string& description);
    void heal(std::uint64_t cut_id);
    void heal_all();

    std::optional<std::size_t> resolve(const FaultTarget& target, FaultKind kind) const;
    /// The leader half the time (when there is one), else a node drawn from `candidates`.
    std::optional<std::size_t> pick(const std::vector<std::size_t>& candidates);
    /// Whether taking `index` out (crash or corrupt) keeps a majority in.
    bool within_budget(std::size_t index) const;

    const Scenario& scenario_;
    EventLoop& loop_;
    Cluster& cluster_;
    TracePrinter& printer_;
    Prng prng_;         // times of the explicit timeline
    Prng random_prng_;  // targets and durations of the random mix
    std::uint64_t seed_;
    std::vector<std::size_t> crashed_;  // oldest first
    std::vector<bool> corrupted_;
    std::map<std::uint64_t, std::string> open_cuts_;  // by id: what each cut is, for its heal
};

}  // namespace raftlink::sim
