// SPDX-License-Identifier: MIT
// raft::Node, elections: campaigning with Pre-Vote (thesis §9.6) and RequestVote (§5.2), the
// vote-granting rule (§5.4.1), the term rules (§5.1), CheckQuorum's lease (thesis §6.2), and
// TimeoutNow (thesis §3.10). The rest of the class is in node.cc and node_replication.cc.
#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "core/raft/node.h"
#include "core/raft/quorum.h"
#include "core/text.h"

namespace raftlink::raft {

// ---------------------------------------------------------------------------------------------
// Campaigning.

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
            emit("Received RequestVote from node ", message.from,
                 " while a leader is active; ignoring");
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
        emit("Received RequestVote from node ", message.from, " with higher term (",
             message.term, "); becoming follower");
    } else if (from_leader) {
        emit("Received AppendEntries RPC from node ", message.from,
             " with higher term (", message.term, "); becoming follower");
    } else {
        const char* what = std::holds_alternative<RequestVoteReply>(message.body)
                               ? "RequestVote reply"
                               : "AppendEntries reply";
        emit("Received ", what, " from node ", message.from,
             " with higher term; becoming follower");
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
        emit("Received PreVote from node ", message.from, " with term ", message.term,
             ", but current term is ", term, "; denying pre-vote");
    } else if (in_lease(now)) {
        emit("Received PreVote from node ", message.from,
             ", but a leader is active; denying pre-vote");
    } else if (!candidate_log_is_up_to_date(body)) {
        emit("Received PreVote from node ", message.from,
             ", but this node has newer log entries; denying pre-vote");
    } else {
        granted = true;
        emit("Received PreVote from node ", message.from, ", granting pre-vote");
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
        emit("Received RequestVote from node ", message.from, " with term ", message.term,
             ", but current term is ", term, "; denying vote");
    } else if (hard_state_.voted_for != no_node && hard_state_.voted_for != message.from) {
        emit("Received RequestVote from node ", message.from,
             ", but node already voted for node ", hard_state_.voted_for,
             "; denying vote");
    } else if (!candidate_log_is_up_to_date(body)) {
        emit("Received RequestVote from node ", message.from,
             ", but this node has newer log entries; denying vote");
    } else {
        // Figure 2: grant if votedFor is null or candidateId and the log is up to date. The
        // reply leaves only after votedFor is durable (it goes out after the persist).
        granted = true;
        hard_state_.voted_for = message.from;
        emit("Received RequestVote from node ", message.from, ", granting vote");
        reset_election_timer("granted vote");
    }
    send(message.from, RequestVoteReply{granted});
}

void Node::handle_request_vote_reply(const Message& message, const RequestVoteReply& body,
                                     Nanos now) {
    if (body.pre_vote) {
        emit("Received PreVote reply from node ", message.from, ": ",
             [&] { return describe_vote_reply(message, body); });
        const Term next_term(hard_state_.current_term.value + 1);
        if (role_ != Role::PreCandidate || message.term != next_term || !body.vote_granted) return;
        votes_granted_.insert(message.from);
        if (votes_granted_.size() >= majority(config_.voters.size())) {
            emit("Received majority of pre-votes");
            become_candidate(now);
        }
        return;
    }
    emit("Received RequestVote reply from node ", message.from, ": ",
         [&] { return describe_vote_reply(message, body); });
    if (role_ != Role::Candidate || message.term != hard_state_.current_term) {
        // A reply to an earlier election, or one that arrives after this one was decided, must
        // not count (the seed counted late grants toward later rounds).
        emit("Received RequestVote reply from node ", message.from,
             ", but node is no longer candidate; ignoring reply");
        return;
    }
    if (!body.vote_granted) return;
    votes_granted_.insert(message.from);
    if (votes_granted_.size() >= majority(config_.voters.size())) {
        emit("Received majority of votes");
        become_leader(now);
    }
}

void Node::handle_timeout_now(const Message& message, Nanos now) {
    // Only the leader of our term may hand over leadership; anything else is stale.
    if (message.term != hard_state_.current_term || message.from != leader_id_ ||
        role_ != Role::Follower) {
        return;
    }
    emit("Received TimeoutNow from node ", message.from, "; starting election");
    election_timer_running_ = false;
    become_candidate(now, true);
}

}  // namespace raftlink::raft
