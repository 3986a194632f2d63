// SPDX-License-Identifier: MIT
#include "io/sim/event_loop.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/assert.h"

namespace raftlink::sim {

Nanos EventLoop::next_time() const {
    ASSERT(!heap_.empty());
    return heap_.front().time;
}

void EventLoop::at(Nanos time, Action action) {
    ASSERT(static_cast<bool>(action));
    std::uint32_t slot = 0;
    if (free_slots_.empty()) {
        ASSERT_LT(actions_.size(), std::size_t{std::numeric_limits<std::uint32_t>::max()});
        slot = static_cast<std::uint32_t>(actions_.size());
        actions_.push_back(std::move(action));
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
        actions_[slot] = std::move(action);
    }
    heap_.push_back(Event{std::max(time, now_), next_sequence_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void EventLoop::run_next() {
    ASSERT(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event event = heap_.back();
    heap_.pop_back();
    ASSERT_GE(event.time, now_);
    now_ = event.time;
    ++events_run_;
    // Out of its slot first: the action may schedule events, which may grow actions_.
    Action action = std::move(actions_[event.slot]);
    free_slots_.push_back(event.slot);
    action();
}

}  // namespace raftlink::sim
