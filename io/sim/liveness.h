// SPDX-License-Identifier: MIT
// Liveness after the faults heal: within a bound of the heal time a leader must exist, and
// every client operation outstanding at the heal time, or invoked after it, must complete
// within the bound (of the later of the heal time and its invocation).
//
// Checked as the run goes, without events of its own: before the simulator runs an event at
// time t, every deadline earlier than t can be judged, since everything up to it has happened.
// A run whose faults heal too late for the bound to fit demands nothing (inactive).
#pragma once

#include <optional>

#include "core/types.h"
#include "io/sim/checker.h"
#include "io/sim/history.h"

namespace raftlink::sim {

class LivenessMonitor {
public:
    /// Faults healed at `healed`; progress is demanded within `bound` (> 0) when
    /// healed + bound <= `end`.
    LivenessMonitor(Nanos healed, Nanos bound, Nanos end);

    bool active() const { return active_; }
    Nanos healed() const { return healed_; }
    Nanos bound() const { return bound_; }

    /// After an event at `now`: whether an up node is leader.
    void observe(Nanos now, bool has_leader) {
        leader_now_ = has_leader;
        observed_at_ = now;
        if (!active_) return;
        if (has_leader && now >= healed_ && now <= healed_ + bound_) leader_seen_ = true;
    }
    /// Before the state moves on to `time` (the next event's time, or end + 1 when the run is
    /// over): the first deadline earlier than `time` that was missed, if any. Reports once.
    /// Runs before every event, so the common case is inline: before the heal nothing can be
    /// due (every deadline is later than the heal time).
    std::optional<Violation> check_before(Nanos time, const History& history) {
        if (!active_ || reported_ || time <= healed_) return std::nullopt;
        return check_after_heal(time, history);
    }
    /// The missed deadline of the reported violation.
    Nanos violated_at() const { return violated_at_; }

private:
    std::optional<Violation> check_after_heal(Nanos time, const History& history);

    Nanos healed_;
    Nanos bound_;
    Nanos end_;
    bool active_;
    bool reported_ = false;
    bool leader_now_ = false;
    Nanos observed_at_ = 0;
    // Invariant: a leader existed at some instant of [healed_, healed_ + bound_] seen so far.
    bool leader_seen_ = false;
    Nanos violated_at_ = 0;
};

}  // namespace raftlink::sim
