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

void EventLoop::grow_near() {
    near_.resize(std::max<std::size_t>(2 * near_.size(), 16));
}

void EventLoop::run(Next next) {
    Event event;
    if (next.far) {
        std::pop_heap(far_.begin(), far_.end(), Later{});
        event = far_.back();
        far_.pop_back();
    } else {
        event = near_[near_first_++];
        // The taken front is cut off when nothing near is left, or in batches of 64 while
        // near events keep coming (which moves at most as many as are cut).
        if (near_empty()) {
            near_first_ = 1;
            near_end_ = 1;
        } else if (near_first_ >= 64 && 2 * near_first_ >= near_end_) {
            std::copy(near_.begin() + static_cast<std::ptrdiff_t>(near_first_),
                      near_.begin() + static_cast<std::ptrdiff_t>(near_end_), near_.begin() + 1);
            near_end_ -= near_first_ - 1;
            near_first_ = 1;
        }
    }
    ASSERT_GE(event.time, now_);
    now_ = event.time;
    ++events_run_;
    // In its slot: chunks never move, and the slot is not free until the action is done.
    const std::uint32_t slot = event.slot();
    slot_action(slot).run_once();
    free_slots_.push_back(slot);
}

}  // namespace raftlink::sim
