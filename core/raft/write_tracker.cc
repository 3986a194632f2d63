// SPDX-License-Identifier: MIT
#include "core/raft/write_tracker.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"

namespace raftlink::raft {

std::uint64_t WriteTracker::issue(std::optional<HardState> hard_state, LogIndex first_index,
                                  LogIndex last_index, Term last_term) {
    ASSERT_LE(first_index, last_index);
    if (first_index == LogIndex(0)) ASSERT_EQ(last_index, LogIndex(0));
    const std::uint64_t id = ++issued_id_;
    outstanding_.push_back(Write{id, hard_state, first_index, last_index, last_term});
    ASSERT_EQ(outstanding_.size(), issued_id_ - durable_id_);
    return id;
}

std::uint64_t WriteTracker::newest_touching(LogIndex index) const {
    for (auto it = outstanding_.rbegin(); it != outstanding_.rend(); ++it) {
        if (it->first_index != LogIndex(0) && it->first_index <= index) return it->id;
    }
    return 0;
}

void WriteTracker::hold(Message&& message, std::uint64_t write_id,
                        std::vector<Message>& ready_now) {
    ASSERT_LE(write_id, issued_id_);
    if (write_id <= durable_id_) {
        ready_now.push_back(std::move(message));
        return;
    }
    const auto after = std::upper_bound(
        held_.begin(), held_.end(), write_id,
        [](std::uint64_t id, const Held& held) { return id < held.write_id; });
    held_.emplace(after, write_id, std::move(message));
}

WriteTracker::Write WriteTracker::complete(std::uint64_t id, std::vector<Message>& released) {
    // Storage makes writes durable in issue order (core/env.h); anything else is a bug in
    // the environment, not an operating error.
    ASSERT(!outstanding_.empty());
    ASSERT_EQ(id, durable_id_ + 1);
    ASSERT_EQ(outstanding_.front().id, id);
    Write write = outstanding_.front();
    outstanding_.erase(outstanding_.begin());
    durable_id_ = id;
    const auto waited = std::find_if(held_.begin(), held_.end(), [&](const Held& held) {
        return held.write_id > durable_id_;
    });
    for (auto held = held_.begin(); held != waited; ++held) {
        released.push_back(std::move(held->message));
    }
    held_.erase(held_.begin(), waited);
    ASSERT_EQ(outstanding_.size(), issued_id_ - durable_id_);
    return write;
}

}  // namespace raftlink::raft
