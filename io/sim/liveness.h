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

    /// After an event at `now`: whether an up node is leader. A call that would repeat the
    /// last one's answer may be left out: the state observed holds until the next call.
    void observe(Nanos now, bool has_leader) {
        if (!active_ || leader_seen_) return;  // nothing left to learn
        note_leader_until(now);
        leader_now_ = has_leader;
        observed_at_ = now;
        if (has_leader && now >= healed_ && now <= deadline_) leader_seen_ = true;
    }
    /// Before the state moves on to `time` (the next event's time, or end + 1 when the run is
    /// over): the first deadline earlier than `time` that was missed, if any. Reports once.
    /// Operations invoked later are invoked at `time` or after it.
    /// Runs before every event, so the common case is inline: nothing can be due until
    /// quiet_until_.
    std::optional<Violation> check_before(Nanos time, const History& history) {
        if (time <= quiet_until_) return std::nullopt;
        return check_after_heal(time, history);
    }
    /// The missed deadline of the reported violation.
    Nanos violated_at() const { return violated_at_; }

private:
    std::optional<Violation> check_after_heal(Nanos time, const History& history);
    /// The state observed last held until `time`: a leader then led at some instant of
    /// [healed_, deadline_] if [observed_at_, time) reaches into it.
    void note_leader_until(Nanos time) {
        if (leader_now_ && time > healed_ && observed_at_ <= deadline_) leader_seen_ = true;
    }

    Nanos healed_;
    Nanos bound_;
    Nanos end_;
    bool active_;
    Nanos deadline_ = 0;  // healed_ + bound_ when active_: a leader is due by then
    bool reported_ = false;
    // The leader state observed last, and when; kept only until leader_seen_.
    bool leader_now_ = false;
    Nanos observed_at_ = 0;
    // Invariant: a leader existed at some instant of [healed_, deadline_] seen so far.
    bool leader_seen_ = false;
    /// No deadline can have been missed before a time up to this one: the heal time at first,
    /// then the earliest deadline the last check_after_heal() left pending (the leader's, or
    /// the oldest open operation's, as later ones are due no earlier); the largest Nanos once
    /// reported or when inactive. So check_after_heal() runs only when something may be due:
    /// twice in speed-5 seed 1, where it ran before each of the 11,556 events after the heal.
    Nanos quiet_until_;
    Nanos violated_at_ = 0;
};

}  // namespace raftlink::sim
