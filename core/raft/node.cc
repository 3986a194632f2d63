// SPDX-License-Identifier: MIT
#include "core/raft/node.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "core/raft/quorum.h"
#include "core/text.h"

namespace raftlink::raft {

const char* role_name(Role role) {
    switch (role) {
        case Role::Follower: return "follower";
        case Role::PreCandidate: return "pre-candidate";
        case Role::Candidate: return "candidate";
        case Role::Leader: return "leader";
    }
    UNREACHABLE();
}

Node::Node(Config config, PersistentState state)
    : config_(std::move(config)),
      prng_(Prng::derive(config_.seed, "raft.node", config_.id.value)),
      hard_state_(state.hard_state),
      persisted_hard_state_(state.hard_state),
      log_(std::move(state.entries)) {
    const auto problem = validate(config_);
    if (problem) assert_fail("raft::Config is valid", __FILE__, __LINE__, *problem);
    std::sort(config_.voters.begin(), config_.voters.end());
    checked_term_ = hard_state_.current_term;
}

// ---------------------------------------------------------------------------------------------
// Inputs.

void Node::start() {
    begin_step();
    become_follower(hard_state_.current_term, no_node);
    // No finish_step: the node has no time yet. The election timer starts at the first
    // on_time, which the driver calls right after the service starts (as in the seed).
    check_invariants();
}

void Node::on_time(Nanos now) {
    begin_step();
    if (role_ == Role::Leader) {
        if (now >= won_election_deadline_) {
            emit(concat("Received election timer (", won_election_term_,
                        ") tick, but node won election already; stopping election timer"));
            won_election_deadline_ = no_deadline;
        }
        if (now >= heartbeat_deadline_) on_heartbeat_timer(now);
        if (now >= quorum_check_deadline_) on_quorum_check(now);
        if (role_ == Role::Leader && now >= transfer_deadline_) {
            abort_transfer("the target did not take over within the election timeout");
        }
    } else if (election_timer_running_ && now >= election_deadline_) {
        emit("Election timer expired");
        election_timer_running_ = false;
        campaign(now);
    }
    finish_step(now);
}

void Node::step(const Message& message, Nanos now) {
    const bool known_sender = std::binary_search(config_.voters.begin(), config_.voters.end(),
                                                 message.from);
    if (message.to != config_.id || !known_sender || message.from == config_.id) return;
    begin_step();
    if (std::holds_alternative<RequestVote>(message.body)) {
        emit(concat("Received ", message_type_name(message.body), " from node ", message.from,
                    " with term ", message.term));
    }
    if (message.term > hard_state_.current_term && !adopts_higher_term(message, now)) {
        finish_step(now);
        return;
    }
    struct Visitor {
        Node& node;
        const Message& message;
        Nanos now;
        void operator()(const RequestVote& body) {
            node.handle_request_vote(message, body, now);
        }
        void operator()(const RequestVoteReply& body) {
            node.handle_request_vote_reply(message, body, now);
        }
        void operator()(const AppendEntries& body) {
            node.handle_append_entries(message, body, now);
        }
        void operator()(const AppendEntriesReply& body) {
            node.handle_append_entries_reply(message, body);
        }
        void operator()(const TimeoutNow&) { node.handle_timeout_now(message, now); }
    };
    std::visit(Visitor{*this, message, now}, message.body);
    finish_step(now);
}

ProposeResult Node::propose(Bytes data, Nanos now) {
    if (role_ != Role::Leader) return ProposeResult{false, LogIndex(0), Term(0), leader_id_};
    // During a transfer the log must stop growing so that the target can catch up; clients
    // are told no leader is available and retry (thesis §3.10).
    if (transfer_target_ != no_node) return ProposeResult{false, LogIndex(0), Term(0), no_node};
    begin_step();
    const LogIndex index = log_.last_index() + 1;
    log_.append(Entry{hard_state_.current_term, index, std::move(data)});
    emit(concat("Client request submitted to local log: index ", index));
    // Replicate at once rather than on the next heartbeat: the seed's E[w] paid half a
    // heartbeat interval per write for waiting (kept as an option to measure that model).
    if (!config_.replicate_on_heartbeat_only) broadcast_append(false);
    finish_step(now);
    return ProposeResult{true, index, hard_state_.current_term, config_.id};
}

ReadIndexResult Node::read_index(std::uint64_t id, Nanos now) {
    if (role_ != Role::Leader || reads_.full()) return ReadIndexResult{false, leader_id_};
    begin_step();
    // Thesis §6.4: until the leader has committed an entry of its own term it does not know
    // the latest commit index; such reads wait for the no-op to commit.
    if (log_.term_at(commit_index_) != hard_state_.current_term) {
        reads_before_term_commit_.push_back(id);
    } else {
        reads_.add(id, commit_index_);
        read_round_pending_ = true;
    }
    finish_step(now);
    return ReadIndexResult{true, config_.id};
}

bool Node::transfer_leadership(NodeId target, Nanos now) {
    if (role_ != Role::Leader || !progress_.contains(target)) return false;
    begin_step();
    emit(concat("Transferring leadership to node ", target));
    transfer_target_ = target;
    transfer_deadline_ = now + config_.election_timeout_max;
    timeout_now_sent_ = false;
    // Catch the target up from what it acknowledged: appends believed in flight may be lost,
    // and the transfer should not wait for the next heartbeat to find out.
    Progress& progress = progress_.at(target);
    progress.inflight.clear();
    progress.next_index = progress.match_index + 1;
    if (!send_append(target)) maybe_send_timeout_now();
    finish_step(now);
    return true;
}

bool Node::has_ready() const {
    if (ready_outstanding_) return false;
    return hard_state_ != persisted_hard_state_ || log_.stable_index() < log_.last_index() ||
           !outbox_.empty() || !outbox_after_persist_.empty() ||
           applied_index_ < commit_index_ || !reads_ready_.empty();
}

Ready Node::ready() {
    ASSERT(!ready_outstanding_);
    Ready ready;
    if (hard_state_ != persisted_hard_state_) ready.hard_state = hard_state_;
    if (log_.stable_index() < log_.last_index()) {
        const auto unstable = log_.slice(log_.stable_index() + 1, log_.last_index());
        ready.entries.assign(unstable.begin(), unstable.end());
    }
    ready.messages = std::move(outbox_);
    ready.messages_after_persist = std::move(outbox_after_persist_);
    outbox_.clear();
    outbox_after_persist_.clear();
    if (applied_index_ < commit_index_) {
        const auto committed = log_.slice(applied_index_ + 1, commit_index_);
        ready.committed_entries.assign(committed.begin(), committed.end());
    }
    ready.reads = std::exchange(reads_ready_, {});
    ready_outstanding_ = true;
    return ready;
}

void Node::advance(const Ready& ready, Nanos now) {
    ASSERT(ready_outstanding_);
    ready_outstanding_ = false;
    begin_step();
    if (ready.hard_state) persisted_hard_state_ = *ready.hard_state;
    if (!ready.entries.empty()) log_.stable_to(ready.entries.back().index, ready.entries.back().term);
    if (!ready.committed_entries.empty()) {
        const LogIndex last_applied = ready.committed_entries.back().index;
        ASSERT_EQ(ready.committed_entries.front().index, applied_index_ + 1);
        ASSERT_LE(last_applied, commit_index_);
        applied_index_ = last_applied;
    }
    // The leader counts itself toward a quorum only for entries it has made durable.
    if (role_ == Role::Leader) maybe_commit();
    finish_step(now);
}

Nanos Node::next_deadline() const {
    if (role_ == Role::Leader) {
        return std::min({heartbeat_deadline_, won_election_deadline_, quorum_check_deadline_,
                         transfer_deadline_});
    }
    return election_timer_running_ ? election_deadline_ : no_deadline;
}

std::vector<TraceLine> Node::take_trace() { return std::exchange(trace_, {}); }

// ---------------------------------------------------------------------------------------------
// Role transitions.

void Node::become_follower(Term term, NodeId leader) {
    ASSERT_GE(term, hard_state_.current_term);
    if (term > hard_state_.current_term) {
        hard_state_.current_term = term;
        hard_state_.voted_for = no_node;
    }
    role_ = Role::Follower;
    leader_id_ = leader;
    votes_granted_.clear();
    progress_.clear();
    heartbeat_deadline_ = no_deadline;
    quorum_check_deadline_ = no_deadline;
    won_election_deadline_ = no_deadline;
    transfer_target_ = no_node;
    transfer_deadline_ = no_deadline;
    // Reads a deposed leader could not confirm are never answered by it (the client retries).
    reads_.clear();
    reads_before_term_commit_.clear();
    read_round_pending_ = false;
    emit(concat("Becoming follower with term ", term));
    request_new_election_timer();
}

void Node::campaign(Nanos now) {
    if (config_.pre_vote) {
        become_pre_candidate(now);
    } else {
        become_candidate(now);
    }
}

void Node::become_pre_candidate(Nanos now) {
    // Thesis §9.6: ask whether a real election could be won before disturbing anyone with a
    // new term. The pre-vote names the term the node would campaign in; its own term and vote
    // do not change.
    role_ = Role::PreCandidate;
    ++counters_.pre_votes_started;
    leader_id_ = no_node;
    votes_granted_ = {config_.id};
    emit("Becoming pre-candidate");
    request_new_election_timer();
    const Term next_term(hard_state_.current_term.value + 1);
    for (const NodeId peer : config_.voters) {
        if (peer == config_.id) continue;
        send_with_term(peer, next_term, RequestVote{log_.last_index(), log_.last_term(), true});
    }
    if (votes_granted_.size() >= majority(config_.voters.size())) become_candidate(now);
}

void Node::become_candidate(Nanos now, bool leadership_transfer) {
    // §5.2: increment currentTerm, vote for self, reset the election timer, send RequestVote.
    role_ = Role::Candidate;
    ++counters_.elections_started;
    hard_state_.current_term = Term(hard_state_.current_term.value + 1);
    hard_state_.voted_for = config_.id;
    leader_id_ = no_node;
    votes_granted_ = {config_.id};
    emit("Becoming candidate");
    request_new_election_timer();
    for (const NodeId peer : config_.voters) {
        if (peer == config_.id) continue;
        send(peer, RequestVote{log_.last_index(), log_.last_term(), false, leadership_transfer});
    }
    if (votes_granted_.size() >= majority(config_.voters.size())) become_leader(now);
}

void Node::become_leader(Nanos now) {
    ASSERT(role_ == Role::Candidate);
    ASSERT_EQ(hard_state_.voted_for, config_.id);
    role_ = Role::Leader;
    ++counters_.elections_won;
    leader_id_ = config_.id;
    if (config_.check_quorum) quorum_check_deadline_ = now + config_.election_timeout_min;
    emit("Becoming leader");
    // The election timer of the won term keeps running until it fires, then stops (the
    // seed's wording); a leader needs no election timer of its own.
    won_election_deadline_ = election_timer_running_ ? election_deadline_ : no_deadline;
    won_election_term_ = election_timer_term_;
    election_timer_running_ = false;
    election_timer_restart_pending_ = false;
    election_deadline_ = no_deadline;
    progress_.clear();
    for (const NodeId peer : config_.voters) {
        if (peer == config_.id) continue;
        progress_[peer] = Progress{};
        progress_[peer].next_index = log_.last_index() + 1;
    }
    // §8: a no-op entry of the new term lets the leader commit entries of earlier terms
    // (which it may not commit by counting replicas, §5.4.2) and learn the commit index.
    log_.append(Entry{hard_state_.current_term, log_.last_index() + 1, Bytes{}});
    broadcast_append(true);
    heartbeat_deadline_ = now + config_.heartbeat_interval;
}

bool Node::in_lease(Nanos now) const {
    // CheckQuorum's lease (thesis §6.2, etcd's inLease): a node that heard from a live leader
    // within the minimum election timeout will not help depose it.
    if (!config_.check_quorum || leader_id_ == no_node) return false;
    if (role_ == Role::Leader) return true;
    return last_leader_contact_ != no_deadline &&
           now - last_leader_contact_ < config_.election_timeout_min;
}

bool Node::adopts_higher_term(const Message& message, Nanos now) {
    if (const auto* vote = std::get_if<RequestVote>(&message.body)) {
        if (vote->pre_vote) return true;  // no term change for a pre-vote (thesis §9.6)
        if (in_lease(now) && !vote->leadership_transfer) {
            emit(concat("Received RequestVote from node ", message.from,
                        " while a leader is active; ignoring"));
            return false;
        }
    }
    if (const auto* reply = std::get_if<RequestVoteReply>(&message.body)) {
        // A granted pre-vote carries the term the pre-candidate asked about, not a newer term
        // anyone is in.
        if (reply->pre_vote && reply->vote_granted) return true;
    }
    step_to_higher_term(message);
    return true;
}

void Node::step_to_higher_term(const Message& message) {
    // §5.1: a server that sees a higher term adopts it and becomes follower. The leader is
    // known only when the message is the leader's AppendEntries.
    const bool from_leader = std::holds_alternative<AppendEntries>(message.body);
    if (std::holds_alternative<RequestVote>(message.body)) {
        emit(concat("Received RequestVote from node ", message.from, " with higher term (",
                    message.term, "); becoming follower"));
    } else if (from_leader) {
        emit(concat("Received AppendEntries RPC from node ", message.from,
                    " with higher term (", message.term, "); becoming follower"));
    } else {
        const char* what = std::holds_alternative<RequestVoteReply>(message.body)
                               ? "RequestVote reply"
                               : "AppendEntries reply";
        emit(concat("Received ", what, " from node ", message.from,
                    " with higher term; becoming follower"));
    }
    become_follower(message.term, from_leader ? message.from : no_node);
}

// ---------------------------------------------------------------------------------------------
// Elections (§5.2, §5.4.1).

bool Node::candidate_log_is_up_to_date(const RequestVote& body) const {
    // §5.4.1: the log with the later last term is more up to date; with equal last terms, the
    // longer log is.
    if (body.last_log_term != log_.last_term()) return body.last_log_term > log_.last_term();
    return body.last_log_index >= log_.last_index();
}

void Node::handle_pre_vote(const Message& message, const RequestVote& body, Nanos now) {
    // Grant if the pre-candidate's next term is ahead of ours, its log is at least as up to
    // date (§5.4.1), and no leader we heard from recently is alive. Nothing is persisted.
    const Term term = hard_state_.current_term;
    bool granted = false;
    if (message.term <= term) {
        emit(concat("Received PreVote from node ", message.from, " with term ", message.term,
                    ", but current term is ", term, "; denying pre-vote"));
    } else if (in_lease(now)) {
        emit(concat("Received PreVote from node ", message.from,
                    ", but a leader is active; denying pre-vote"));
    } else if (!candidate_log_is_up_to_date(body)) {
        emit(concat("Received PreVote from node ", message.from,
                    ", but this node has newer log entries; denying pre-vote"));
    } else {
        granted = true;
        emit(concat("Received PreVote from node ", message.from, ", granting pre-vote"));
    }
    send_with_term(message.from, granted ? message.term : term, RequestVoteReply{granted, true});
}

void Node::handle_request_vote(const Message& message, const RequestVote& body, Nanos now) {
    if (body.pre_vote) {
        handle_pre_vote(message, body, now);
        return;
    }
    const Term term = hard_state_.current_term;
    bool granted = false;
    if (message.term < term) {
        emit(concat("Received RequestVote from node ", message.from, " with term ", message.term,
                    ", but current term is ", term, "; denying vote"));
    } else if (hard_state_.voted_for != no_node && hard_state_.voted_for != message.from) {
        emit(concat("Received RequestVote from node ", message.from,
                    ", but node already voted for node ", hard_state_.voted_for,
                    "; denying vote"));
    } else if (!candidate_log_is_up_to_date(body)) {
        emit(concat("Received RequestVote from node ", message.from,
                    ", but this node has newer log entries; denying vote"));
    } else {
        // Figure 2: grant if votedFor is null or candidateId and the log is up to date. The
        // reply leaves only after votedFor is durable (it goes out after the persist).
        granted = true;
        hard_state_.voted_for = message.from;
        emit(concat("Received RequestVote from node ", message.from, ", granting vote"));
        reset_election_timer("granted vote");
    }
    send(message.from, RequestVoteReply{granted});
}

void Node::handle_request_vote_reply(const Message& message, const RequestVoteReply& body,
                                     Nanos now) {
    if (body.pre_vote) {
        emit(concat("Received PreVote reply from node ", message.from, ": ",
                    describe_vote_reply(message, body)));
        const Term next_term(hard_state_.current_term.value + 1);
        if (role_ != Role::PreCandidate || message.term != next_term || !body.vote_granted) return;
        votes_granted_.insert(message.from);
        if (votes_granted_.size() >= majority(config_.voters.size())) {
            emit("Received majority of pre-votes");
            become_candidate(now);
        }
        return;
    }
    emit(concat("Received RequestVote reply from node ", message.from, ": ",
                describe_vote_reply(message, body)));
    if (role_ != Role::Candidate || message.term != hard_state_.current_term) {
        // A reply to an earlier election, or one that arrives after this one was decided, must
        // not count (the seed counted late grants toward later rounds).
        emit(concat("Received RequestVote reply from node ", message.from,
                    ", but node is no longer candidate; ignoring reply"));
        return;
    }
    if (!body.vote_granted) return;
    votes_granted_.insert(message.from);
    if (votes_granted_.size() >= majority(config_.voters.size())) {
        emit("Received majority of votes");
        become_leader(now);
    }
}

// ---------------------------------------------------------------------------------------------
// Log replication (§5.3).

const char* Node::malformed_entries(const Message& message, const AppendEntries& body) const {
    Term previous = body.prev_log_term;
    for (std::size_t i = 0; i < body.entries.size(); ++i) {
        const Entry& entry = body.entries[i];
        if (entry.index != body.prev_log_index + (i + 1)) return "non-contiguous entries";
        // Terms never decrease along a log, and a leader only holds entries of its term or
        // earlier (§5.3, Figure 3).
        if (entry.term < previous || entry.term > message.term) return "entries out of term order";
        previous = entry.term;
        // State machine safety (§5.4): a committed entry is never replaced, so an entry that
        // conflicts with one at or below our commit index cannot come from a correct leader.
        if (entry.index <= commit_index_ && entry.index <= log_.last_index() &&
            log_.term_at(entry.index) != entry.term) {
            return "entries conflicting with committed entries";
        }
    }
    return nullptr;
}

void Node::handle_append_entries(const Message& message, const AppendEntries& body, Nanos now) {
    emit(concat("Received AppendEntries RPC: ", describe_append_entries(message, body)));
    const Term term = hard_state_.current_term;
    AppendEntriesReply reply;
    reply.read_round = body.read_round;
    if (message.term < term) {
        // Figure 2, receiver step 1. The reply's higher term makes a stale leader step down.
        emit(concat("Received AppendEntries RPC with term ", message.term,
                    ", but current term is ", term, "; denying AppendEntries"));
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
        // Figure 2, receiver step 2, with the conflict hint of §5.3 so that the leader can
        // skip a whole conflicting term (or a too-short log) in one round trip.
        emit(concat("Received AppendEntries RPC with PrevLogIndex ", body.prev_log_index,
                    ", but PrevLogTerm ", body.prev_log_term, " does not match; denying AppendEntries"));
        if (body.prev_log_index > log_.last_index()) {
            reply.retry_index = log_.last_index() + 1;
        } else {
            reply.conflict_term = log_.term_at(body.prev_log_index);
            LogIndex first = body.prev_log_index;
            while (first > LogIndex(1) && log_.term_at(first - 1) == reply.conflict_term) {
                first = first - 1;
            }
            reply.retry_index = first;
        }
        send(message.from, reply);
        return;
    }
    if (const char* problem = malformed_entries(message, body)) {
        // Peer input is never trusted: a message no correct leader sends is dropped, logged.
        emit(concat("Received AppendEntries RPC from node ", message.from, " with ", problem,
                    "; dropping it"));
        return;
    }
    const LogIndex truncated_from = log_.append_from_leader(body.entries);
    ASSERT(truncated_from == LogIndex(0) || truncated_from > commit_index_);
    const LogIndex last_new = body.prev_log_index + body.entries.size();
    // Figure 2, receiver step 5: commitIndex = min(leaderCommit, index of last new entry).
    const LogIndex leader_commit = std::min(body.leader_commit, last_new);
    if (leader_commit > commit_index_) {
        commit_index_ = leader_commit;
        emit(concat("Committed log entry at index ", commit_index_));
    }
    reply.success = true;
    reply.match_index = last_new;
    send(message.from, reply);
}

void Node::handle_append_entries_reply(const Message& message, const AppendEntriesReply& body) {
    emit(concat("Received AppendEntries reply from node ", message.from, ": ",
                describe_append_reply(message, body)));
    if (role_ != Role::Leader || message.term != hard_state_.current_term) return;
    Progress& progress = progress_.at(message.from);
    progress.recent_active = true;
    // Any answer in this term, success or not, shows the follower still takes us as leader.
    reads_.acknowledge(message.from, body.read_round);
    collect_confirmed_reads();
    if (body.success) {
        if (body.match_index > log_.last_index()) return;  // Not an answer to this leader.
        progress.match_index = std::max(progress.match_index, body.match_index);
        progress.next_index = std::max(progress.next_index, progress.match_index + 1);
        while (!progress.inflight.empty() && progress.inflight.front() <= progress.match_index) {
            progress.inflight.pop_front();
        }
        emit(concat("AppendEntries RPC to node ", message.from,
                    " was successful: nextIndex=", progress.next_index,
                    ", matchIndex=", progress.match_index));
        maybe_commit();
        if (message.from == transfer_target_) maybe_send_timeout_now();
    } else {
        const LogIndex retry = std::min(retry_index_after_conflict(body), log_.last_index() + 1);
        if (retry <= progress.match_index) {
            // The follower lacks entries it acknowledged: it restarted from a disk that lost
            // its tail (or this is a reordered old rejection). Lowering match_index is always
            // safe (the commit index never goes back) and lets the follower be repaired
            // instead of rejecting every heartbeat forever.
            emit(concat("Node ", message.from, " no longer holds entries up to ",
                        progress.match_index, "; resending from index ", retry));
            progress.match_index = retry - 1;
        }
        progress.next_index = std::max(progress.match_index + 1, retry);
        progress.inflight.clear();
        emit(concat("AppendEntries RPC to node ", message.from,
                    " was not successful; decreased nextIndex to ", progress.next_index));
    }
    // A follower that acknowledged entries after the commit index passed them learns the
    // commit now rather than on the next heartbeat.
    if (config_.replicate_on_heartbeat_only) return;
    if (!send_append(message.from) && commit_index_ > progress.commit_index_sent &&
        progress.match_index > progress.commit_index_sent) {
        send_heartbeat(message.from);
    }
}

LogIndex Node::retry_index_after_conflict(const AppendEntriesReply& body) const {
    // §5.3: if the leader has entries of the follower's conflicting term, the logs may agree
    // up to the leader's last entry of that term; otherwise skip the whole term.
    if (body.conflict_term == Term(0)) return body.retry_index;
    LogIndex index = log_.last_index();
    while (index > LogIndex(0) && log_.term_at(index) > body.conflict_term) index = index - 1;
    if (index > LogIndex(0) && log_.term_at(index) == body.conflict_term) return index + 1;
    return body.retry_index;
}

bool Node::send_append(NodeId peer) {
    Progress& progress = progress_.at(peer);
    if (progress.next_index > log_.last_index()) return false;
    if (progress.inflight.size() >= config_.inflight_appends_max) return false;
    const LogIndex first = progress.next_index;
    const LogIndex last =
        std::min(log_.last_index(), first + (config_.entries_per_append_max - 1));
    const auto entries = log_.slice(first, last);
    AppendEntries append{first - 1, log_.term_at(first - 1),
                         std::vector<Entry>(entries.begin(), entries.end()), commit_index_,
                         reads_.latest_round()};
    send(peer, std::move(append));
    progress.next_index = last + 1;
    progress.inflight.push_back(last);
    progress.commit_index_sent = std::max(progress.commit_index_sent, std::min(commit_index_, last));
    return true;
}

void Node::send_heartbeat(NodeId peer) {
    // A heartbeat names a prefix the follower is known to hold, so it always succeeds and
    // carries the commit index no further than that prefix (Figure 2, receiver step 5).
    Progress& progress = progress_.at(peer);
    const LogIndex prev = progress.match_index;
    const LogIndex commit = std::min(commit_index_, prev);
    send(peer, AppendEntries{prev, log_.term_at(prev), {}, commit, reads_.latest_round()});
    progress.commit_index_sent = std::max(progress.commit_index_sent, commit);
}

void Node::broadcast_append(bool heartbeat_if_idle) {
    for (auto& [peer, progress] : progress_) {
        if (!send_append(peer) && heartbeat_if_idle) send_heartbeat(peer);
    }
}

void Node::on_heartbeat_timer(Nanos now) {
    for (auto& [peer, progress] : progress_) {
        if (progress.match_index < log_.last_index() &&
            progress.match_index == progress.match_index_at_heartbeat) {
            // Entries are missing and nothing was acknowledged for a whole interval: presume
            // the appends in flight lost and send them again (duplicates are harmless, §5.3).
            progress.inflight.clear();
            progress.next_index = progress.match_index + 1;
        }
        progress.match_index_at_heartbeat = progress.match_index;
        if (!send_append(peer)) send_heartbeat(peer);
    }
    heartbeat_deadline_ = now + config_.heartbeat_interval;
}

void Node::handle_timeout_now(const Message& message, Nanos now) {
    // Only the leader of our term may hand over leadership; anything else is stale.
    if (message.term != hard_state_.current_term || message.from != leader_id_ ||
        role_ != Role::Follower) {
        return;
    }
    emit(concat("Received TimeoutNow from node ", message.from, "; starting election"));
    election_timer_running_ = false;
    become_candidate(now, true);
}

void Node::maybe_send_timeout_now() {
    if (transfer_target_ == no_node || timeout_now_sent_) return;
    if (progress_.at(transfer_target_).match_index < log_.last_index()) return;
    timeout_now_sent_ = true;
    send(transfer_target_, TimeoutNow{});
}

void Node::abort_transfer(const char* reason) {
    emit(concat("Leadership transfer to node ", transfer_target_, " aborted: ", reason));
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
        emit(concat("Heard from ", active, " of ", config_.voters.size(),
                    " nodes within the election timeout; stepping down"));
        become_follower(hard_state_.current_term, no_node);
        return;
    }
    quorum_check_deadline_ = now + config_.election_timeout_min;
}

void Node::start_read_round() {
    // One heartbeat per follower carries the newest round for every read of this step.
    read_round_pending_ = false;
    for (auto& [peer, progress] : progress_) send_heartbeat(peer);
    collect_confirmed_reads();  // a single-node cluster confirms at once
}

void Node::collect_confirmed_reads() {
    for (const ReadState& read : reads_.take_confirmed(config_.voters.size())) {
        reads_ready_.push_back(read);
    }
}

void Node::maybe_commit() {
    ASSERT(role_ == Role::Leader);
    std::vector<LogIndex> match_indexes{log_.stable_index()};
    for (const auto& [peer, progress] : progress_) match_indexes.push_back(progress.match_index);
    const LogIndex candidate = committed_index(std::move(match_indexes));
    // §5.4.2 (Figure 8): only an entry of the current term is committed by counting replicas;
    // earlier entries are committed indirectly with it.
    if (candidate <= commit_index_ || log_.term_at(candidate) != hard_state_.current_term) return;
    commit_index_ = candidate;
    emit(concat("Committed log entry at index ", commit_index_));
    // Reads that waited for this term's first commit can now take the commit index.
    for (const std::uint64_t id : std::exchange(reads_before_term_commit_, {})) {
        reads_.add(id, commit_index_);
        read_round_pending_ = true;
    }
    // Tell followers now rather than on the next heartbeat, so their reads see it soon; a
    // follower that has not acknowledged the entry yet learns it with its acknowledgement.
    if (config_.replicate_on_heartbeat_only) return;
    for (auto& [peer, progress] : progress_) {
        if (!send_append(peer) && std::min(commit_index_, progress.match_index) >
                                      progress.commit_index_sent) {
            send_heartbeat(peer);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The election timer and the step frame.

void Node::begin_step() {
    main_lines_in_step_ = 0;
    timer_anchor_ = 0;
}

void Node::finish_step(Nanos now) {
    if (read_round_pending_ && role_ == Role::Leader) start_read_round();
    if (election_timer_restart_pending_) {
        start_election_timer(now);
    } else if (election_deadline_reset_pending_) {
        election_deadline_ = now + election_timeout_;
    }
    election_deadline_reset_pending_ = false;
    check_invariants();
}

void Node::reset_election_timer(const char* reason) {
    emit(concat("Resetting election timer, reason: ", reason));
    // A pending restart sets the deadline itself at the end of the step.
    if (election_timer_running_ && !election_timer_restart_pending_) {
        election_deadline_reset_pending_ = true;
    }
}

void Node::request_new_election_timer() {
    if (!election_timer_restart_pending_) timer_anchor_ = main_lines_in_step_;
    election_timer_restart_pending_ = true;
}

void Node::start_election_timer(Nanos now) {
    election_timer_restart_pending_ = false;
    const bool superseded = election_timer_running_;
    const Term superseded_term = election_timer_term_;
    emit_timer("Resetting election timer, reason: new election timer about to start");
    election_timeout_ = prng_.uniform(config_.election_timeout_min, config_.election_timeout_max);
    election_deadline_ = now + election_timeout_;
    election_timer_term_ = hard_state_.current_term;
    election_timer_running_ = true;
    emit_timer(concat("Started election timer (", election_timer_term_, ") with timeout of ",
                      format_millis(election_timeout_), "ms"));
    if (superseded && superseded_term != election_timer_term_) {
        emit_timer(concat("Received election timer (", superseded_term,
                          ") tick, but term changed in mean time; stopping election timer"));
    }
}

void Node::send(NodeId to, MessageBody body) {
    send_with_term(to, hard_state_.current_term, std::move(body));
}

void Node::send_with_term(NodeId to, Term term, MessageBody body) {
    const bool request = is_request(body);
    if (request) emit(concat("Sending ", message_type_name(body), " to node ", to));
    Message message{config_.id, to, term, std::move(body)};
    // A leader's AppendEntries may leave before its own persist completes; everything else
    // reveals a term, vote or log that must be durable first.
    if (std::holds_alternative<AppendEntries>(message.body)) {
        outbox_.push_back(std::move(message));
    } else {
        outbox_after_persist_.push_back(std::move(message));
    }
}

void Node::emit(std::string text) {
    ++main_lines_in_step_;
    if (config_.trace_enabled) trace_.push_back(TraceLine{TraceLane::Main, 0, std::move(text)});
}

void Node::emit_timer(std::string text) {
    if (!config_.trace_enabled) return;
    const std::size_t race_span = main_lines_in_step_ - timer_anchor_;
    trace_.push_back(TraceLine{TraceLane::ElectionTimer, race_span, std::move(text)});
}

// ---------------------------------------------------------------------------------------------
// Invariants.

void Node::check_invariants() {
    ASSERT_LE(applied_index_, commit_index_);
    ASSERT_LE(commit_index_, log_.last_index());
    ASSERT_LE(log_.stable_index(), log_.last_index());
    ASSERT_GE(hard_state_.current_term, checked_term_);
    ASSERT_GE(commit_index_, checked_commit_index_);
    if (role_ == Role::Leader) {
        ASSERT_EQ(hard_state_.voted_for, config_.id);
        ASSERT_EQ(leader_id_, config_.id);
        ASSERT_EQ(progress_.size() + 1, config_.voters.size());
    }
    if (role_ == Role::Candidate) ASSERT_EQ(hard_state_.voted_for, config_.id);
    if (role_ != Role::Leader) {
        ASSERT(reads_.empty());
        ASSERT(reads_before_term_commit_.empty());
    }
    checked_term_ = hard_state_.current_term;
    checked_commit_index_ = commit_index_;
}

}  // namespace raftlink::raft
