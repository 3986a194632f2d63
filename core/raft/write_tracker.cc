// SPDX-License-Identifier: MIT
#include "core/raft/write_tracker.h"

#include <iterator>
#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

std::uint64_t WriteTracker::issue(std::optional<HardState> hard_state, LogIndex last_index,
                                  Term last_term) {
    const std::uint64_t id = ++issued_id_;
    outstanding_.push_back(Write{id, hard_state, last_index, last_term});
    ASSERT_EQ(outstanding_.size(), issued_id_ - durable_id_);
    return id;
}

void WriteTracker::hold(std::vector<Message>&& messages, std::vector<Message>& ready_now) {
    if (messages.empty()) return;
    if (outstanding_.empty()) {
        ready_now.insert(ready_now.end(), std::make_move_iterator(messages.begin()),
                         std::make_move_iterator(messages.end()));
        messages.clear();
        return;
    }
    held_count_ += messages.size();
    if (!held_.empty() && held_.back().write_id == issued_id_) {
        auto& waiting = held_.back().messages;
        waiting.insert(waiting.end(), std::make_move_iterator(messages.begin()),
                       std::make_move_iterator(messages.end()));
        messages.clear();
        return;
    }
    if (!held_.empty()) ASSERT_LT(held_.back().write_id, issued_id_);
    held_.push_back(Held{issued_id_, std::move(messages)});
    messages.clear();
}

WriteTracker::Write WriteTracker::complete(std::uint64_t id, std::vector<Message>& released) {
    // Storage makes writes durable in issue order (core/env.h); anything else is a bug in
    // the environment, not an operating error.
    ASSERT(!outstanding_.empty());
    ASSERT_EQ(id, durable_id_ + 1);
    ASSERT_EQ(outstanding_.front().id, id);
    Write write = std::move(outstanding_.front());
    outstanding_.pop_front();
    durable_id_ = id;
    while (!held_.empty() && held_.front().write_id <= durable_id_) {
        auto& waiting = held_.front().messages;
        held_count_ -= waiting.size();
        released.insert(released.end(), std::make_move_iterator(waiting.begin()),
                        std::make_move_iterator(waiting.end()));
        held_.pop_front();
    }
    ASSERT_EQ(outstanding_.size(), issued_id_ - durable_id_);
    return write;
}

}  // namespace raftlink::raft
