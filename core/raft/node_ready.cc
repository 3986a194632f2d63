// SPDX-License-Identifier: MIT
// raft::Node, the Ready loop: what the node hands out to send, persist and apply, and its
// asynchronous storage writes (several outstanding; messages held until what they reveal is
// durable, Figure 2). The rest of the class is in node.cc, node_election.cc and
// node_replication.cc; the bookkeeping of writes is WriteTracker's (write_tracker.h).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/raft/node.h"

namespace raftlink::raft {

namespace {

// A burst (a new leader catching up many followers) must not make every later Ready reserve
// room for it.
constexpr std::size_t outbox_reserve_max = 64;

}  // namespace

bool Node::has_unpersisted_state() const {
    return hard_state_ != persisting_hard_state_ || persisting_index_ < log_.last_index();
}

bool Node::can_issue_write() const {
    return writes_.outstanding() < config_.storage_writes_inflight_max;
}

bool Node::has_ready() const {
    if (ready_outstanding_) return false;
    // The cheap tests first: can_place_after_persist() walks the held messages.
    return !outbox_.empty() || applied_index_ < commit_index_ || !reads_ready_.empty() ||
           (has_unpersisted_state() && can_issue_write()) || can_place_after_persist();
}

void Node::hand_out_write(Ready& ready) {
    if (hard_state_ != persisting_hard_state_) ready.hard_state = hard_state_;
    LogIndex first(0);
    LogIndex last(0);
    if (persisting_index_ < log_.last_index()) {
        first = persisting_index_ + 1;
        last = log_.last_index();
        entries_to_write(first, last, ready.entries);
    }
    ASSERT(ready.needs_persist());
    ready.write_id = writes_.issue(ready.hard_state, first, last, log_.term_at(last));
    if (ready.hard_state) hard_state_write_id_ = ready.write_id;
    persisting_hard_state_ = hard_state_;
    persisting_index_ = log_.last_index();
}

namespace {

bool is_acknowledgement(const Message& message) {
    const auto* reply = std::get_if<AppendEntriesReply>(&message.body);
    return reply != nullptr && reply->success;
}

}  // namespace

bool Node::is_stale_acknowledgement(const Message& message) const {
    // Only a leader of a later term makes this node replace entries it acknowledged, so an
    // acknowledgement of an earlier term may vouch for entries that are gone and were never
    // durable. Dropping it is as safe as the network losing it.
    if (!is_acknowledgement(message)) return false;
    return message.term != hard_state_.current_term ||
           std::get<AppendEntriesReply>(message.body).match_index > log_.last_index();
}

std::optional<std::uint64_t> Node::write_required(const Message& message) const {
    // Figure 2: respond only after updating stable storage. Every held message shows this
    // node's term (a vote reply or RequestVote also its vote): it waits for the write that
    // carries the current hard state, if that is not durable yet. An acknowledgement also
    // vouches for the entries up to its match index: it waits for the newest write touching
    // that index. Anything else (a heartbeat's reply, a pre-vote) leaves at once, even while
    // unrelated writes are slow, so a slow disk does not look like a dead follower.
    std::uint64_t required = 0;
    if (hard_state_ != persisted_hard_state_) {
        if (hard_state_ != persisting_hard_state_) return std::nullopt;  // not handed out yet
        required = hard_state_write_id_;
    }
    if (is_acknowledgement(message)) {
        const LogIndex match = std::get<AppendEntriesReply>(message.body).match_index;
        if (match > log_.stable_index()) {
            if (match > persisting_index_) return std::nullopt;  // not handed out yet
            required = std::max(required, writes_.newest_touching(match));
            ASSERT_NE(required, 0U);
        }
    }
    return required;
}

bool Node::can_place_after_persist() const {
    for (const Message& message : outbox_after_persist_) {
        if (is_stale_acknowledgement(message) || write_required(message)) return true;
    }
    return false;
}

void Node::place_after_persist(std::vector<Message>& ready_now) {
    // Compacts in place, keeping the order of what waits and the vector's capacity (a
    // follower's replies pass through here on every append).
    auto waiting = outbox_after_persist_.begin();
    for (Message& message : outbox_after_persist_) {
        if (is_stale_acknowledgement(message)) continue;
        const std::optional<std::uint64_t> required = write_required(message);
        if (!required) {
            if (&*waiting != &message) *waiting = std::move(message);
            ++waiting;
            continue;
        }
        writes_.hold(std::move(message), *required, ready_now);
    }
    outbox_after_persist_.erase(waiting, outbox_after_persist_.end());
}

Ready Node::ready() {
    ASSERT(!ready_outstanding_);
    Ready ready;
    if (has_unpersisted_state() && can_issue_write()) hand_out_write(ready);
    ready.messages = std::move(outbox_);
    outbox_.clear();
    if (!ready.messages.empty()) {
        outbox_reserve_ = std::min<std::size_t>(ready.messages.size(), outbox_reserve_max);
    }
    place_after_persist(ready.messages);
    if (applied_index_ < commit_index_) {
        // has_ready() stays true until everything committed is applied, so a capped Ready
        // is followed by the next one in the same pump.
        const LogIndex last = std::min(
            commit_index_, applied_index_ + config_.committed_entries_per_ready_max);
        ready.committed_entries = CommittedEntries(log_, applied_index_ + 1, last);
    }
    ready.reads = std::exchange(reads_ready_, {});
    ready_outstanding_ = true;
    return ready;
}

void Node::advance(const Ready& ready, Nanos now) {
    ASSERT(ready_outstanding_);
    ready_outstanding_ = false;
    begin_step();
    if (!ready.committed_entries.empty()) {
        const LogIndex last_applied = ready.committed_entries.last_index();
        ASSERT_EQ(ready.committed_entries.first_index(), applied_index_ + 1);
        ASSERT_LE(last_applied, commit_index_);
        applied_index_ = last_applied;
    }
    // Since the last input's full check, the invariants' terms changed only through what
    // ready() handed out: a write or committed entries (then checked in full here). Most
    // Readies carry only messages, and a full check for each of them was a fortieth of the
    // node's own cost.
    finish_step(now, ready.needs_persist() || !ready.committed_entries.empty());
}

void Node::advance(Ready&& ready, Nanos now) {
    advance(static_cast<const Ready&>(ready), now);
    // The buffers come back only when nothing took their place meanwhile.
    if (outbox_.empty()) {
        ready.messages.clear();
        outbox_.swap(ready.messages);
    }
}

void Node::entries_to_write(LogIndex first, LogIndex last, std::vector<Entry>& out) {
    if (!received_.empty()) {
        // Entries are only ever appended or truncated, so without a truncation since they
        // were kept, the log still holds them at the same indexes.
        if (received_truncations_ == log_.truncation_count() &&
            received_.front().index == first && received_.back().index == last) {
            out.swap(received_);
            return;
        }
        recycle(std::exchange(received_, {}));
    }
    spares().copy_entries_into(log_, first, last, out);
}

void Node::recycle(std::vector<Entry>&& entries) { spares().give(std::move(entries)); }

void Node::drop_stale_released(std::size_t from) {
    // An acknowledgement is held for its write while the node goes on, and may meanwhile
    // have become stale: a leader of a later term replaced the entries it vouches for (its
    // write made them durable only for the next write to replace them), and the node may
    // have voted in that term. Counted by the old leader, it could commit entries that no
    // majority holds any more. Dropped here as before it was held (place_after_persist): as
    // safe as the network losing it. (Found by the simulator: speed-5 seed 278.)
    auto kept = outbox_.begin() + static_cast<std::ptrdiff_t>(from);
    for (auto message = kept; message != outbox_.end(); ++message) {
        if (is_stale_acknowledgement(*message)) {
            emit("Dropping acknowledgement to node ", message->to, " of term ", message->term,
                 " up to index ", std::get<AppendEntriesReply>(message->body).match_index,
                 ": its entries were replaced meanwhile");
            continue;
        }
        if (kept != message) *kept = std::move(*message);
        ++kept;
    }
    outbox_.erase(kept, outbox_.end());
}

void Node::on_persisted(std::uint64_t write_id, Nanos now) {
    begin_step();
    const std::size_t released_from = outbox_.size();
    const WriteTracker::Write write = writes_.complete(write_id, outbox_);
    drop_stale_released(released_from);
    if (write.hard_state) persisted_hard_state_ = *write.hard_state;
    // A truncation may have replaced the written entries meanwhile; the log then ignores it.
    if (write.last_index > LogIndex(0)) log_.stable_to(write.last_index, write.last_term);
    // The leader counts itself toward a quorum only for entries it has made durable.
    if (role_ == Role::Leader) maybe_commit();
    finish_step(now);
}

}  // namespace raftlink::raft
