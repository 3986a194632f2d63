// SPDX-License-Identifier: MIT
// raft::Node, replication: AppendEntries on both sides (§5.3), commitment (§5.4.2), and the
// leader's periodic duties (heartbeats, CheckQuorum, ReadIndex rounds, leadership transfer).
// The rest of the class is in node.cc and node_election.cc.
#include <algorithm>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/raft/node.h"
#include "core/raft/quorum.h"
#include "core/text.h"

namespace raftlink::raft {

namespace {

// Why an AppendEntries' entries cannot come from a correct leader, or nullptr. Peer input is
// never trusted, so this is checked rather than asserted.
const char* malformed_entries(const Message& message, const AppendEntries& body, const Log& log,
                              LogIndex commit_index) {
    Term previous = body.prev_log_term;
    Log::TermWalk walk;
    for (std::size_t i = 0; i < body.entries.size(); ++i) {
        const Entry& entry = body.entries[i];
        if (entry.index != body.prev_log_index + (i + 1)) return "non-contiguous entries";
        // Terms never decrease along a log, and a leader only holds entries of its term or
        // earlier (§5.3, Figure 3).
        if (entry.term < previous || entry.term > message.term) return "entries out of term order";
        previous = entry.term;
        // State machine safety (§5.4): a committed entry is never replaced, so an entry that
        // conflicts with one at or below our commit index cannot come from a correct leader.
        if (entry.index <= commit_index && entry.index <= log.last_index() &&
            log.term_at(entry.index, walk) != entry.term) {
            return "entries conflicting with committed entries";
        }
    }
    return nullptr;
}

// The conflict hint of a rejection (§5.3) that lets the leader skip a whole conflicting term
// (or a too-short log) in one round trip.
void set_conflict_hint(const Log& log, LogIndex prev_log_index, AppendEntriesReply& reply) {
    if (prev_log_index > log.last_index()) {
        reply.retry_index = log.last_index() + 1;
        return;
    }
    reply.conflict_term = log.term_at(prev_log_index);
    LogIndex first = prev_log_index;
    while (first > LogIndex(1) && log.term_at(first - 1) == reply.conflict_term) first = first - 1;
    reply.retry_index = first;
}

// Where the leader resends from after a rejection. §5.3: if the leader has entries of the
// follower's conflicting term, the logs may agree up to the leader's last entry of that term;
// otherwise skip the whole term. Clamped to [1, last + 1]: the hint is peer input.
LogIndex retry_index_after_conflict(const Log& log, const AppendEntriesReply& body) {
    LogIndex retry = body.retry_index;
    if (body.conflict_term != Term(0)) {
        LogIndex index = log.last_index();
        while (index > LogIndex(0) && log.term_at(index) > body.conflict_term) index = index - 1;
        if (index > LogIndex(0) && log.term_at(index) == body.conflict_term) retry = index + 1;
    }
    return std::clamp(retry, LogIndex(1), log.last_index() + 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Log replication (§5.3).

void Node::handle_append_entries(const Message& message, const AppendEntries& body, Nanos now) {
    emit("Received AppendEntries RPC: ", [&] { return describe_append_entries(message, body); });
    const Term term = hard_state_.current_term;
    AppendEntriesReply reply;
    reply.read_round = body.read_round;
    if (message.term < term) {
        // Figure 2, receiver step 1. The reply's higher term makes a stale leader step down.
        emit("Received AppendEntries RPC with term ", message.term,
             ", but current term is ", term, "; denying AppendEntries");
        send(message.from, reply);
        return;
    }
    // Only one leader per term (§5.2), so a candidate of this term lost: it follows.
    if (role_ != Role::Follower) become_follower(term, message.from);
    ASSERT(role_ == Role::Follower);
    leader_id_ = message.from;
    last_leader_contact_ = now;
    reset_election_timer("received AppendEntries RPC");

    if (!log_.matches(body.prev_log_index, body.prev_log_term)) {
        // Figure 2, receiver step 2, with the conflict hint of §5.3.
        emit("Received AppendEntries RPC with PrevLogIndex ", body.prev_log_index,
             ", but PrevLogTerm ", body.prev_log_term, " does not match; denying AppendEntries");
        set_conflict_hint(log_, body.prev_log_index, reply);
        send(message.from, reply);
        return;
    }
    if (const char* problem = malformed_entries(message, body, log_, commit_index_)) {
        // Peer input is never trusted: a message no correct leader sends is dropped, logged.
        emit("Received AppendEntries RPC from node ", message.from, " with ", problem,
             "; dropping it");
        return;
    }
    const LogIndex truncated_from = log_.append_from_leader(body.entries);
    ASSERT(truncated_from == LogIndex(0) || truncated_from > commit_index_);
    // Entries from the truncation on go to storage again (a write replaces the stored suffix
    // from its first entry), even if an outstanding write carried the replaced ones.
    if (truncated_from != LogIndex(0) && persisting_index_ >= truncated_from) {
        persisting_index_ = truncated_from - 1;
    }
    const LogIndex last_new = body.prev_log_index + body.entries.size();
    // Figure 2, receiver step 5: commitIndex = min(leaderCommit, index of last new entry).
    const LogIndex leader_commit = std::min(body.leader_commit, last_new);
    if (leader_commit > commit_index_) {
        commit_index_ = leader_commit;
        emit("Committed log entry at index ", commit_index_);
    }
    // A commit notice is answered only when rejected (above): see AppendEntries::commit_notice.
    if (body.commit_notice) return;
    reply.success = true;
    reply.match_index = last_new;
    send(message.from, reply);
}

void Node::handle_append_entries_reply(const Message& message, const AppendEntriesReply& body) {
    emit("Received AppendEntries reply from node ", message.from, ": ",
         [&] { return describe_append_reply(message, body); });
    if (role_ != Role::Leader || message.term != hard_state_.current_term) return;
    // Figure 2, receiver step 1 rejects a stale term with no retry index. Arriving in this
    // term, such a rejection answers an append this node sent while leading an earlier term
    // (the follower had moved on), so it says nothing about the follower's log now (§5.1).
    if (!body.success && body.retry_index == LogIndex(0)) return;
    Progress& progress = progress_.at(message.from);
    progress.recent_active = true;
    progress.on_reply();
    // Any answer in this term, success or not, shows the follower still takes us as leader.
    reads_.acknowledge(message.from, body.read_round);
    collect_confirmed_reads();
    if (body.success) {
        if (body.match_index > log_.last_index()) return;  // Not an answer to this leader.
        progress.on_acknowledged(body.match_index);
        emit("AppendEntries RPC to node ", message.from,
             " was successful: nextIndex=", progress.next_index,
             ", matchIndex=", progress.match_index);
        maybe_commit();
        if (message.from == transfer_target_) maybe_send_timeout_now();
    } else {
        const LogIndex retry = retry_index_after_conflict(log_, body);
        const LogIndex acknowledged = progress.match_index;
        if (progress.on_rejected(retry)) {
            emit("Node ", message.from, " no longer holds entries up to ", acknowledged,
                 "; resending from index ", retry);
        }
        emit("AppendEntries RPC to node ", message.from,
             " was not successful; decreased nextIndex to ", progress.next_index);
    }
    if (config_.replicate_on_heartbeat_only) return;
    // After an acknowledgement the logs agree up to match_index, so the window is filled with
    // whatever waited (etcd does the same); after a rejection one append probes the hint.
    bool sent = send_append(message.from, progress);
    if (body.success) {
        while (sent && send_append(message.from, progress)) {
        }
    }
    // A follower that acknowledged entries after the commit index passed them learns the
    // commit now rather than on the next heartbeat.
    if (!sent && commit_index_ > progress.commit_index_sent &&
        progress.match_index > progress.commit_index_sent) {
        send_heartbeat(message.from, progress, /*commit_notice=*/true);
    }
}

bool Node::send_append(NodeId peer, Progress& progress) {
    if (progress.next_index > log_.last_index()) return false;
    if (!progress.may_send(config_.inflight_appends_max)) return false;
    const LogIndex first = progress.next_index;
    // Bounded by count, then by bytes from the log's offsets, so that each entry is copied
    // once, straight into the message.
    const LogIndex last = log_.last_within_bytes(
        first, std::min(log_.last_index(), first + (config_.entries_per_append_max - 1)),
        config_.entries_bytes_per_append_max);
    AppendEntries& append = send_append_entries(peer);
    append.prev_log_index = first - 1;
    append.prev_log_term = log_.term_at(first - 1);
    spares().copy_entries_into(log_, first, last, append.entries);
    append.leader_commit = commit_index_;
    append.read_round = reads_.latest_round();
    progress.on_append_sent(last);
    progress.commit_index_sent = std::max(progress.commit_index_sent, std::min(commit_index_, last));
    return true;
}

void Node::send_heartbeat(NodeId peer, Progress& progress, bool commit_notice) {
    // A heartbeat names a prefix the follower is known to hold, so it succeeds unless the
    // follower lost entries it acknowledged (a restart from a disk that lost its tail), and
    // carries the commit index no further than that prefix (Figure 2, receiver step 5).
    const LogIndex prev = progress.match_index;
    const LogIndex commit = std::min(commit_index_, prev);
    AppendEntries& heartbeat = send_append_entries(peer);
    heartbeat.prev_log_index = prev;
    heartbeat.prev_log_term = log_.term_at(prev);
    heartbeat.leader_commit = commit;
    heartbeat.read_round = reads_.latest_round();
    heartbeat.commit_notice = commit_notice;
    progress.commit_index_sent = std::max(progress.commit_index_sent, commit);
}

namespace {

// Becomes a body holding an AppendEntries with every field zero, built in place: the message
// that takes it as its body is then made in one step, where a message made empty and given
// an AppendEntries afterwards was zeroed twice and its empty body destroyed by a visit.
struct EmptyAppendEntries {
    operator MessageBody() const { return MessageBody(std::in_place_type<AppendEntries>); }
};

}  // namespace

AppendEntries& Node::send_append_entries(NodeId to) {
    Message& message = outbox_for(/*leaves_now=*/true)
                           .emplace_back(config_.id, to, hard_state_.current_term,
                                         EmptyAppendEntries{});
    emit("Sending ", [&message] { return message_type_name(message.body); }, " to node ", to);
    return *std::get_if<AppendEntries>(&message.body);
}

void Node::broadcast_append(bool heartbeat_if_idle) {
    for (auto& [peer, progress] : progress_) {
        if (!send_append(peer, progress) && heartbeat_if_idle) send_heartbeat(peer, progress);
    }
}

void Node::on_heartbeat_timer(Nanos now) {
    for (auto& [peer, progress] : progress_) {
        progress.on_heartbeat(log_.last_index());
        // The heartbeat goes even when entries go too (etcd sends its MsgHeartbeat apart from
        // MsgApp likewise): an append's reply waits for the follower's fsync, a heartbeat's
        // leaves at once. Under a steady load every append carries entries, so a follower's
        // disk stall of an election timeout silenced it, and CheckQuorum deposed a healthy
        // leader (seen at 33,000 creates/s: "Heard from 1 of 3 nodes", a 388 ms stall).
        send_append(peer, progress);
        send_heartbeat(peer, progress);
    }
    heartbeat_deadline_ = now + config_.heartbeat_interval;
}

void Node::maybe_send_timeout_now() {
    if (transfer_target_ == no_node || timeout_now_sent_) return;
    if (progress_.at(transfer_target_).match_index < log_.last_index()) return;
    timeout_now_sent_ = true;
    send(transfer_target_, TimeoutNow{});
}

void Node::abort_transfer(const char* reason) {
    emit("Leadership transfer to node ", transfer_target_, " aborted: ", reason);
    transfer_target_ = no_node;
    transfer_deadline_ = no_deadline;
}

void Node::on_quorum_check(Nanos now) {
    // CheckQuorum (thesis §6.2): a leader cut off from a majority steps down, so that clients
    // stop waiting on it and its stale reads end.
    std::size_t active = 1;
    for (auto& [peer, progress] : progress_) {
        if (progress.recent_active) ++active;
        progress.recent_active = false;
    }
    if (active < majority(config_.voters.size())) {
        emit("Heard from ", active, " of ", config_.voters.size(),
             " nodes within the election timeout; stepping down");
        become_follower(hard_state_.current_term, no_node);
        return;
    }
    quorum_check_deadline_ = now + config_.election_timeout_min;
}

void Node::start_read_round() {
    // One heartbeat per follower carries the newest round for every read of this step.
    read_round_pending_ = false;
    for (auto& [peer, progress] : progress_) send_heartbeat(peer, progress);
    collect_confirmed_reads();  // a single-node cluster confirms at once
}

void Node::collect_confirmed_reads() {
    if (reads_.empty()) return;  // runs on every reply, nearly always with no read pending
    for (const ReadState& read : reads_.take_confirmed(config_.voters.size())) {
        reads_ready_.push_back(read);
    }
}

void Node::maybe_commit() {
    ASSERT(role_ == Role::Leader);
    // Most acknowledgements commit nothing new: fewer than a majority are past the commit
    // index, so the quorum's index is not either. That is counted straight from the
    // progress, and only then are the match indexes gathered for the selection below.
    std::size_t past_commit = log_.stable_index() > commit_index_ ? 1 : 0;
    for (const auto& [peer, progress] : progress_) {
        if (progress.match_index > commit_index_) ++past_commit;
    }
    if (past_commit < majority(progress_.size() + 1)) return;
    match_indexes_.clear();  // keeps its capacity: this runs on every commit
    match_indexes_.push_back(log_.stable_index());
    for (const auto& [peer, progress] : progress_) match_indexes_.push_back(progress.match_index);
    const LogIndex candidate = committed_index(match_indexes_);
    // §5.4.2 (Figure 8): only an entry of the current term is committed by counting replicas;
    // earlier entries are committed indirectly with it.
    if (candidate <= commit_index_ || log_.term_at(candidate) != hard_state_.current_term) return;
    commit_index_ = candidate;
    emit("Committed log entry at index ", commit_index_);
    // Reads that waited for this term's first commit can now take the commit index.
    for (const std::uint64_t id : std::exchange(reads_before_term_commit_, {})) {
        reads_.add(id, commit_index_);
        read_round_pending_ = true;
    }
    // Tell followers now rather than on the next heartbeat, so their reads see it soon; a
    // follower that has not acknowledged the entry yet learns it with its acknowledgement.
    if (config_.replicate_on_heartbeat_only) return;
    for (auto& [peer, progress] : progress_) {
        if (!send_append(peer, progress) && std::min(commit_index_, progress.match_index) >
                                                progress.commit_index_sent) {
            send_heartbeat(peer, progress, /*commit_notice=*/true);
        }
    }
}

}  // namespace raftlink::raft
