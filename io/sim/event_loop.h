// SPDX-License-Identifier: MIT
// The simulator's one event queue on virtual time.
//
// Events run in (time, insertion sequence) order, so two events at the same instant run in the
// order they were scheduled: the tie-break is deterministic and never depends on addresses.
// Virtual time only moves forward, and only when the next event runs.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/types.h"

namespace raftlink::sim {

class EventLoop {
public:
    using Action = std::function<void()>;

    Nanos now() const { return now_; }
    /// How many events have run so far (the "event number" in failure reports).
    std::uint64_t events_run() const { return events_run_; }
    bool empty() const { return heap_.empty(); }
    /// The time of the next event. Precondition: !empty().
    Nanos next_time() const;

    /// Schedules `action` at `time`; a time in the past runs at the current time.
    void at(Nanos time, Action action);
    void after(Nanos delay, Action action) { at(now_ + delay, std::move(action)); }
    /// Runs the next event. Precondition: !empty().
    void run_next();

private:
    struct Event {
        Nanos time;
        std::uint64_t sequence;
        Action action;
    };
    static bool later(const Event& a, const Event& b);

    std::vector<Event> heap_;
    Nanos now_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::uint64_t events_run_ = 0;
};

}  // namespace raftlink::sim
