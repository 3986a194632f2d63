// SPDX-License-Identifier: MIT
#include "io/sim/liveness.h"

#include <algorithm>
#include <limits>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/linearizability.h"
#include "io/sim/raft_properties.h"

namespace raftlink::sim {
namespace {

constexpr Nanos never = std::numeric_limits<Nanos>::max();

std::string seconds(Nanos time) {
    return concat(format_millis(time), " ms");
}

}  // namespace

LivenessMonitor::LivenessMonitor(Nanos healed, Nanos bound, Nanos end)
    // Subtract rather than add: `healed` may be FaultInjector::never_healed, the largest Nanos.
    : healed_(healed), bound_(bound), end_(end), active_(healed <= end - bound),
      quiet_until_(active_ ? healed : never) {
    ASSERT_GT(bound, 0);
    if (active_) deadline_ = healed + bound;
}

std::optional<Violation> LivenessMonitor::check_after_heal(Nanos time, const History& history) {
    ASSERT(active_ && !reported_);
    note_leader_until(time);
    if (time > deadline_ && !leader_seen_) {
        reported_ = true;
        quiet_until_ = never;
        violated_at_ = deadline_;
        return Violation{
            Violation::Kind::Liveness, "leader elected after healing",
            concat("no leader between the heal at ", seconds(healed_), " and its deadline ",
                   seconds(deadline_), " (bound ", seconds(bound_), ")")};
    }
    // Deadlines grow with the invocation time, so the oldest open operation's comes first.
    // An operation invoked later, at `time` or after it, is due after time + bound_.
    Nanos quiet = leader_seen_ ? never : deadline_;
    const auto oldest = history.oldest_open();
    if (!oldest) {
        quiet_until_ = std::min(quiet, time + bound_);
        return std::nullopt;
    }
    const Operation& operation = history.operation(*oldest);
    const Nanos due = liveness_deadline(operation.invoke_time, healed_, bound_);
    if (due > end_) {  // as are all later operations'
        quiet_until_ = quiet;
        return std::nullopt;
    }
    if (due >= time) {
        quiet_until_ = std::min(quiet, due);
        return std::nullopt;
    }
    reported_ = true;
    quiet_until_ = never;
    violated_at_ = due;
    return Violation{
        Violation::Kind::Liveness, "requests complete after healing",
        concat(describe_operation(operation), " was invoked at ", seconds(operation.invoke_time),
               " and had not completed by its "
               "deadline ",
               seconds(due), " (faults healed at ", seconds(healed_), ", bound ", seconds(bound_),
               ")")};
}

}  // namespace raftlink::sim
