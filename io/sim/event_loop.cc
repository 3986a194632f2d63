// SPDX-License-Identifier: MIT
#include "io/sim/event_loop.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::sim {

void EventLoop::add_chunk() {
    ASSERT_LT(chunks_.size(), std::size_t{1} << (slot_bits - chunk_bits));
    const auto first = static_cast<std::uint32_t>(chunks_.size()) << chunk_bits;
    chunks_.push_back(std::make_unique<Action[]>(chunk_slots));
    // Lowest slot on top; which slot an event gets never affects the order of events.
    for (std::uint32_t i = chunk_slots; i > 0; --i) free_slots_.push_back(first + i - 1);
}

void EventLoop::run_next() {
    std::vector<Event>& heap = next_is_far() ? far_ : near_;
    std::pop_heap(heap.begin(), heap.end(), Later{});
    const Event event = heap.back();
    heap.pop_back();
    ASSERT_GE(event.time, now_);
    now_ = event.time;
    ++events_run_;
    // In its slot: chunks never move, and the slot is not free until the action is done.
    const std::uint32_t slot = event.slot();
    slot_action(slot).run_once();
    free_slots_.push_back(slot);
}

}  // namespace raftlink::sim
