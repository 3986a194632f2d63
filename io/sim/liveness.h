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
#include "io/sim/raft_properties.h"

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
    void observe(Nanos now, bool has_leader);
    /// Before the state moves on to `time` (the next event's time, or end + 1 when the run is
    /// over): the first deadline earlier than `time` that was missed, if any. Reports once.
    /// Runs before every event, so the common case (nothing due) is inline.
    std::optional<Violation> check_before(Nanos time, const History& history) {
        if (!active_ || reported_) return std::nullopt;
        const Nanos deadline = healed_ + bound_;
        // The state observed last held until `time`: a leader then was a leader at the heal
        // time.
        if (leader_now_ && time > healed_ && observed_at_ <= deadline) leader_seen_ = true;
        if (time > deadline && !leader_seen_) return missed_leader(deadline);
        // Deadlines grow with the invocation time, so the oldest open operation's comes first.
        const auto oldest = history.oldest_open();
        if (!oldest) return std::nullopt;
        const Operation& operation = history.operations()[*oldest];
        const Nanos due = liveness_deadline(operation.invoke_time, healed_, bound_);
        if (due >= time || due > end_) return std::nullopt;
        return missed_request(operation, due);
    }
    /// The missed deadline of the reported violation.
    Nanos violated_at() const { return violated_at_; }

private:
    Violation missed_leader(Nanos deadline);
    Violation missed_request(const Operation& operation, Nanos due);

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
