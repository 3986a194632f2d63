// SPDX-License-Identifier: MIT
#include "io/sim/liveness.h"

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/linearizability.h"

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

void LivenessMonitor::observe(Nanos now, bool has_leader) {
    leader_now_ = has_leader;
    observed_at_ = now;
    if (!active_) return;
    if (has_leader && now >= healed_ && now <= healed_ + bound_) leader_seen_ = true;
}

Violation LivenessMonitor::missed_leader(Nanos deadline) {
    reported_ = true;
    violated_at_ = deadline;
    return Violation{
        Violation::Kind::Liveness, "leader elected after healing",
        concat("no leader between the heal at ", seconds(healed_), " and its deadline ",
               seconds(deadline), " (bound ", seconds(bound_), ")")};
}

Violation LivenessMonitor::missed_request(const Operation& operation, Nanos due) {
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
