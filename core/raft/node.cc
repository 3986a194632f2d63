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

namespace {

// The log storage recovered, in whichever of its two forms storage handed it over.
Log recovered_log(PersistentState& state) {
    if (state.packed.ends.empty()) return Log(std::move(state.entries));
    ASSERT(state.entries.empty());
    return Log::from_packed(std::move(state.packed));
}

}  // namespace

Node::Node(Config config, PersistentState state, SpareBuffers* shared_spares)
    : config_(std::move(config)),
      prng_(Prng::derive(config_.seed, "raft.node", config_.id.value)),
      hard_state_(state.hard_state),
      persisting_hard_state_(state.hard_state),
      persisted_hard_state_(state.hard_state),
      log_(recovered_log(state)),
      shared_spares_(shared_spares) {
    const auto problem = validate(config_);
    if (problem) assert_fail("raft::Config is valid", __FILE__, __LINE__, *problem);
    std::sort(config_.voters.begin(), config_.voters.end());
    for (const NodeId voter : config_.voters) {
        if (voter.value < small_voter_ids) small_voters_ |= std::uint64_t{1} << voter.value;
    }
    persisting_index_ = log_.stable_index();
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
            emit("Received election timer (", won_election_term_,
                 ") tick, but node won election already; stopping election timer");
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
    if (message.to != config_.id || !is_voter(message.from) || message.from == config_.id) return;
    begin_step();
    if (std::holds_alternative<RequestVote>(message.body)) {
        emit("Received ", message_type_name(message.body), " from node ", message.from,
             " with term ", message.term);
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

void Node::step(Message&& message, Nanos now) {
    auto* append = std::get_if<AppendEntries>(&message.body);
    // Entries that would all be appended after a log whose every entry was handed out are,
    // if the append succeeds, exactly what the next write holds: kept, the write takes them
    // as they are rather than copies out of the log.
    const bool appends_fresh = append != nullptr && !append->entries.empty() &&
                               append->prev_log_index == log_.last_index() &&
                               persisting_index_ == log_.last_index() && received_.empty();
    step(static_cast<const Message&>(message), now);
    if (append == nullptr) return;
    if (appends_fresh && log_.last_index() == append->entries.back().index) {
        received_ = std::move(append->entries);
        received_truncations_ = log_.truncation_count();
        return;
    }
    recycle(std::move(append->entries));
}

ProposeResult Node::propose(Bytes data, Nanos now) {
    std::vector<Bytes> commands;
    commands.push_back(std::move(data));
    return propose(std::move(commands), now);
}

ProposeResult Node::propose(std::vector<Bytes> commands, Nanos now) {
    ASSERT(!commands.empty());
    if (role_ != Role::Leader) return ProposeResult{false, LogIndex(0), Term(0), leader_id_};
    // During a transfer the log must stop growing so that the target can catch up; clients
    // are told no leader is available and retry (thesis §3.10).
    if (transfer_target_ != no_node) return ProposeResult{false, LogIndex(0), Term(0), no_node};
    begin_step();
    const LogIndex first = log_.last_index() + 1;
    for (Bytes& data : commands) {
        const LogIndex index = log_.last_index() + 1;
        log_.append(Entry{hard_state_.current_term, index, std::move(data)});
        emit("Client request submitted to local log: index ", index);
    }
    // Replicate at once rather than on the next heartbeat: the seed's E[w] paid half a
    // heartbeat interval per write for waiting (kept as an option to measure that model).
    if (!config_.replicate_on_heartbeat_only) broadcast_append(false);
    finish_step(now);
    return ProposeResult{true, first, hard_state_.current_term, config_.id};
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
    emit("Transferring leadership to node ", target);
    transfer_target_ = target;
    transfer_deadline_ = now + config_.election_timeout_max;
    timeout_now_sent_ = false;
    // Catch the target up from what it acknowledged: appends believed in flight may be lost,
    // and the transfer should not wait for the next heartbeat to find out.
    Progress& progress = progress_.at(target);
    progress.resend_unacknowledged();
    if (!send_append(target, progress)) maybe_send_timeout_now();
    finish_step(now);
    return true;
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
    emit("Becoming follower with term ", term);
    request_new_election_timer();
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
        Progress progress;
        progress.next_index = log_.last_index() + 1;
        progress_.add(peer, std::move(progress));
    }
    // §8: a no-op entry of the new term lets the leader commit entries of earlier terms
    // (which it may not commit by counting replicas, §5.4.2) and learn the commit index.
    log_.append(Entry{hard_state_.current_term, log_.last_index() + 1, Bytes{}});
    broadcast_append(true);
    heartbeat_deadline_ = now + config_.heartbeat_interval;
}

// ---------------------------------------------------------------------------------------------
// The election timer and the step frame.

void Node::begin_step() {
    main_lines_in_step_ = 0;
    timer_anchor_ = 0;
}

void Node::finish_pending(Nanos now) {
    // A pending timer or read round (unusual outside the input that set it) is checked too.
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
    emit("Resetting election timer, reason: ", reason);
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
    emit_timer("Started election timer (", election_timer_term_, ") with timeout of ",
               [this] { return format_millis(election_timeout_); }, "ms");
    if (superseded && superseded_term != election_timer_term_) {
        emit_timer("Received election timer (", superseded_term,
                   ") tick, but term changed in mean time; stopping election timer");
    }
}

std::vector<Message>& Node::outbox_for(bool leaves_now) {
    if (!leaves_now) return outbox_after_persist_;
    // Each Ready takes the outbox's buffer: the next one starts at about the size the last
    // one needed, rather than growing one message at a time.
    if (outbox_.capacity() == 0) outbox_.reserve(outbox_reserve_);
    return outbox_;
}

void Node::add_main_line(std::string text) {
    trace_.push_back(TraceLine{TraceLane::Main, 0, std::move(text)});
}

void Node::add_timer_line(std::string text) {
    const std::size_t race_span = main_lines_in_step_ - timer_anchor_;
    trace_.push_back(TraceLine{TraceLane::ElectionTimer, race_span, std::move(text)});
}

// ---------------------------------------------------------------------------------------------
// Invariants.

void Node::check_invariants() {
    // The conditions of report_broken_invariant(), as one expression: its assertions, which
    // report the values and so keep each one addressable, cost a stack frame and a spill or
    // an address per value on every call (92,813 in speed-5 seed 1).
    const bool holds =
        applied_index_ <= commit_index_ && commit_index_ <= log_.last_index() &&
        log_.stable_index() <= persisting_index_ && persisting_index_ <= log_.last_index() &&
        persisted_hard_state_.current_term <= persisting_hard_state_.current_term &&
        persisting_hard_state_.current_term <= hard_state_.current_term &&
        writes_.outstanding() <= config_.storage_writes_inflight_max &&
        hard_state_.current_term >= checked_term_ && commit_index_ >= checked_commit_index_ &&
        (role_ != Role::Leader ||
         (hard_state_.voted_for == config_.id && leader_id_ == config_.id &&
          progress_.size() + 1 == config_.voters.size())) &&
        (role_ != Role::Candidate || hard_state_.voted_for == config_.id) &&
        (role_ == Role::Leader || (reads_.empty() && reads_before_term_commit_.empty()));
    if (!holds) report_broken_invariant();
    checked_term_ = hard_state_.current_term;
    checked_commit_index_ = commit_index_;
}

void Node::report_broken_invariant() const {
    ASSERT_LE(applied_index_, commit_index_);
    ASSERT_LE(commit_index_, log_.last_index());
    ASSERT_LE(log_.stable_index(), persisting_index_);
    ASSERT_LE(persisting_index_, log_.last_index());
    ASSERT_LE(persisted_hard_state_.current_term, persisting_hard_state_.current_term);
    ASSERT_LE(persisting_hard_state_.current_term, hard_state_.current_term);
    ASSERT_LE(writes_.outstanding(), config_.storage_writes_inflight_max);
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
    UNREACHABLE();  // check_invariants() found one broken
}

}  // namespace raftlink::raft
