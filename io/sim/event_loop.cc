// SPDX-License-Identifier: MIT
#include "io/sim/event_loop.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::sim {

bool EventLoop::later(const Event& a, const Event& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.sequence > b.sequence;
}

Nanos EventLoop::next_time() const {
    ASSERT(!heap_.empty());
    return heap_.front().time;
}

void EventLoop::at(Nanos time, Action action) {
    heap_.push_back(Event{std::max(time, now_), next_sequence_++, std::move(action)});
    std::push_heap(heap_.begin(), heap_.end(), later);
}

void EventLoop::run_next() {
    ASSERT(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Event event = std::move(heap_.back());
    heap_.pop_back();
    ASSERT_GE(event.time, now_);
    now_ = event.time;
    ++events_run_;
    event.action();
}

}  // namespace raftlink::sim
