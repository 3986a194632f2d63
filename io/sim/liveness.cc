// SPDX-License-Identifier: MIT
#include "io/sim/liveness.h"

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/linearizability.h"
#include "io/sim/raft_properties.h"

namespace raftlink::sim {
namespace {

std::string seconds(Nanos time) {
    return concat(format_millis(time), " ms");
}

}  // namespace

LivenessMonitor::LivenessMonitor(Nanos healed, Nanos bound, Nanos end)
    // Subtract rather than add: `healed` may be FaultInjector::never_healed, the largest Nanos.
    : healed_(healed), bound_(bound), end_(end), active_(healed <= end - bound) {
    ASSERT_GT(bound, 0);
}

std::optional<Violation> LivenessMonitor::check_after_heal(Nanos time, const History& history) {
    const Nanos deadline = healed_ + bound_;
    // The state observed last held until `time`: a leader then was a leader at the heal time.
    if (leader_now_ && time > healed_ && observed_at_ <= deadline) leader_seen_ = true;
    if (time > deadline && !leader_seen_) {
        reported_ = true;
        violated_at_ = deadline;
        return Violation{
            Violation::Kind::Liveness, "leader elected after healing",
            concat("no leader between the heal at ", seconds(healed_), " and its deadline ",
                   seconds(deadline), " (bound ", seconds(bound_), ")")};
    }
    // Deadlines grow with the invocation time, so the oldest open operation's comes first.
    const auto oldest = history.oldest_open();
    if (!oldest) return std::nullopt;
    const Operation& operation = history.operation(*oldest);
    const Nanos due = liveness_deadline(operation.invoke_time, healed_, bound_);
    if (due >= time || due > end_) return std::nullopt;
    reported_ = true;
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
