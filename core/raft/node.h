// SPDX-License-Identifier: MIT
// raft::Node: the Raft state machine of one server, value in, value out (like etcd's RawNode).
//
// Inputs: start(), on_time(now), step(message, now), propose(data, now), advance(ready).
// Outputs: a Ready (state to persist, messages to send, entries to apply), next_deadline(),
// and trace lines in the seed's wording. The node does no I/O, reads no clock and owns its
// only random generator (seeded from Config::seed), so a unit test can drive it by hand and a
// simulation replays it exactly.
//
// Every input carries `now` (monotonic nanoseconds) so that the node never acts on a stale
// time. Invariants (checked after every input by check_invariants()): applied <= commit <=
// last index; stable <= last index; the term and the commit index never decrease; a leader
// has voted for itself.
//
// One class in four files by concept: node.cc (inputs, role transitions, timers),
// node_ready.cc (the Ready loop and asynchronous storage writes), node_election.cc (campaigns
// and votes), node_replication.cc (AppendEntries, commitment and the leader's periodic
// duties). Per-follower bookkeeping lives in Progress (progress.h), outstanding writes and
// the messages waiting for them in WriteTracker (write_tracker.h), ReadIndex rounds in
// ReadIndexTracker (read_index.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/prng.h"
#include "core/raft/config.h"
#include "core/raft/log.h"
#include "core/raft/messages.h"
#include "core/raft/progress.h"
#include "core/raft/ready.h"
#include "core/raft/spare_buffers.h"
#include "core/raft/trace_line.h"
#include "core/raft/write_tracker.h"
#include "core/text.h"
#include "core/types.h"

namespace raftlink::raft {

enum class Role { Follower, PreCandidate, Candidate, Leader };
const char* role_name(Role role);

/// Counts for metrics; they only grow.
struct NodeCounters {
    std::uint64_t pre_votes_started = 0;
    std::uint64_t elections_started = 0;
    std::uint64_t elections_won = 0;
};

struct ReadIndexResult {
    bool accepted = false;
    /// When not accepted: the leader this node knows of, or no_node.
    NodeId leader_hint;
};

struct ProposeResult {
    bool accepted = false;
    LogIndex index;
    Term term;
    /// When not accepted: the leader this node knows of, or no_node.
    NodeId leader_hint;
};

constexpr Nanos no_deadline = std::numeric_limits<Nanos>::max();

class Node {
public:
    /// `state` is what storage recovered; an empty state is a fresh node. Asserts a valid config.
    /// Copies of entries are built in `shared_spares` if given (it must outlive the node and be
    /// used on this node's thread only; the simulator shares one among its nodes), else in
    /// spare buffers of the node's own.
    Node(Config config, PersistentState state, SpareBuffers* shared_spares = nullptr);

    /// Becomes a follower of the persisted term. The election timer starts at the first on_time.
    void start();
    /// Fires timers whose deadline is <= now. Harmless when nothing is due.
    void on_time(Nanos now);
    /// Handles one message. Messages from unknown senders or addressed elsewhere are dropped.
    void step(const Message& message, Nanos now);
    /// The same, and the node takes the message's buffers (an AppendEntries' entry vector and
    /// payloads) for its own storage writes and appends: a follower then allocates nothing
    /// for the entries it writes.
    void step(Message&& message, Nanos now);
    /// Appends a client command as a new entry if this node is leader, and replicates it at once.
    ProposeResult propose(Bytes data, Nanos now);
    /// Appends several commands as consecutive entries and replicates them at once, together
    /// (one AppendEntries per follower, one storage write). The result names the first entry;
    /// the i-th command has index result.index + i. Precondition: `commands` is not empty.
    ProposeResult propose(std::vector<Bytes> commands, Nanos now);
    /// Starts a linearizable read `id` (ReadIndex, thesis §6.4) if this node is leader; the
    /// read appears in a later Ready's `reads` once a majority confirmed the leadership. A
    /// read that cannot be confirmed (the node stops being leader) never appears.
    ReadIndexResult read_index(std::uint64_t id, Nanos now);
    /// Hands leadership to `target` (thesis §3.10): stops taking proposals, brings the target
    /// up to date, then tells it to campaign at once (TimeoutNow). Gives up after one maximum
    /// election timeout. Returns false if this node is not leader or `target` is not a peer.
    bool transfer_leadership(NodeId target, Nanos now);
    /// The peer leadership is being handed to, or no_node.
    NodeId transfer_target() const { return transfer_target_; }

    /// Whether ready() would return anything. False while a Ready is in hand (not advanced).
    bool has_ready() const;
    /// Hands out what to send, persist and apply (see ready.h). Earlier Readies' writes may
    /// still be outstanding. Precondition: every earlier Ready was advanced.
    Ready ready();
    /// Acknowledges that `ready`'s messages were sent, its committed entries applied and its
    /// reads taken. Its write, if any, is acknowledged separately by on_persisted.
    void advance(const Ready& ready, Nanos now);
    /// The same, and the node takes back the Ready's message vector for the next Readies: a
    /// pump then allocates nothing for it.
    void advance(Ready&& ready, Nanos now);
    /// The write `write_id` (Ready::write_id) is durable. Writes must be reported in the order
    /// they were handed out. The leader counts itself toward a quorum only for durable entries
    /// (thesis §10.2.1), and messages that waited for this write go out in the next Ready.
    void on_persisted(std::uint64_t write_id, Nanos now);
    /// Storage writes handed out and not yet durable.
    std::size_t storage_writes_outstanding() const { return writes_.outstanding(); }

    /// The earliest time at which on_time has something to do, or no_deadline.
    Nanos next_deadline() const;
    /// Trace lines produced since the last call, in order.
    std::vector<TraceLine> take_trace();

    NodeId id() const { return config_.id; }
    Role role() const { return role_; }
    Term current_term() const { return hard_state_.current_term; }
    NodeId voted_for() const { return hard_state_.voted_for; }
    NodeId leader_id() const { return leader_id_; }
    LogIndex commit_index() const { return commit_index_; }
    LogIndex applied_index() const { return applied_index_; }
    const Log& log() const { return log_; }
    const Config& config() const { return config_; }
    /// The leader's progress for each follower (empty unless leader).
    const ProgressMap& progress() const { return progress_; }
    const NodeCounters& counters() const { return counters_; }

    /// Asserts the node's invariants, including deltas against the previous call.
    void check_invariants();

private:
    /// Whether `id` is one of the voters. Asked about the sender of every message: a binary
    /// search of the voters cost 0.6% of a simulation run, a bit of small_voters_ next to
    /// nothing.
    bool is_voter(NodeId id) const {
        if (id.value < small_voter_ids) return (small_voters_ >> id.value) & 1;
        return std::binary_search(config_.voters.begin(), config_.voters.end(), id);
    }

    // Role transitions (§5.2): node.cc.
    void become_follower(Term term, NodeId leader);
    void become_leader(Nanos now);

    // Elections and the term rules (§5.1, §5.2, §5.4.1, thesis §9.6, §6.2): node_election.cc.
    void campaign(Nanos now);
    void become_pre_candidate(Nanos now);
    void become_candidate(Nanos now, bool leadership_transfer = false);
    bool in_lease(Nanos now) const;
    bool adopts_higher_term(const Message& message, Nanos now);
    void step_to_higher_term(const Message& message);
    bool candidate_log_is_up_to_date(const RequestVote& body) const;
    void handle_request_vote(const Message& message, const RequestVote& body, Nanos now);
    void handle_pre_vote(const Message& message, const RequestVote& body, Nanos now);
    void handle_request_vote_reply(const Message& message, const RequestVoteReply& body,
                                   Nanos now);
    void handle_timeout_now(const Message& message, Nanos now);

    // Replication (§5.3), commitment (§5.4.2) and the leader's periodic duties:
    // node_replication.cc.
    void handle_append_entries(const Message& message, const AppendEntries& body, Nanos now);
    void handle_append_entries_reply(const Message& message, const AppendEntriesReply& body);
    /// Sends `peer` the entries it may take next, if any. `progress` is the peer's: every
    /// caller has it at hand, and a search of progress_ per call (53,000 in speed-5 seed 1,
    /// most of them sending nothing) cost 0.3% of a simulation run.
    bool send_append(NodeId peer, Progress& progress);
    /// An empty AppendEntries naming a prefix the follower holds. `commit_notice`: it only
    /// carries a new commit index, and the follower answers it only with a rejection.
    void send_heartbeat(NodeId peer, Progress& progress, bool commit_notice = false);
    void broadcast_append(bool heartbeat_if_idle);
    void on_heartbeat_timer(Nanos now);
    void maybe_commit();
    void on_quorum_check(Nanos now);
    void start_read_round();
    void collect_confirmed_reads();
    void maybe_send_timeout_now();
    void abort_transfer(const char* reason);

    // The Ready loop and persistence: node_ready.cc.
    bool has_unpersisted_state() const;
    bool can_issue_write() const;
    void hand_out_write(Ready& ready);
    bool is_stale_acknowledgement(const Message& message) const;
    /// Drops the stale acknowledgements (is_stale_acknowledgement) among outbox_'s messages
    /// from position `from` on: those a completed write has just released.
    void drop_stale_released(std::size_t from);
    /// The write `message` must wait for (0: none), or nullopt while what it reveals has not
    /// been handed to storage yet.
    std::optional<std::uint64_t> write_required(const Message& message) const;
    bool can_place_after_persist() const;
    /// Moves each message of outbox_after_persist_ that can be placed into writes_ (or into
    /// `ready_now` when what it reveals is durable); the rest keep waiting.
    void place_after_persist(std::vector<Message>& ready_now);
    /// The entries [first, last] for a storage write, into `out` (empty): received_ if it
    /// holds just these, else copies built in spare buffers (received_ is recycled then).
    void entries_to_write(LogIndex first, LogIndex last, std::vector<Entry>& out);
    /// Keeps the buffers of `entries` (bounded) for SpareBuffers::copy_entries_into().
    void recycle(std::vector<Entry>&& entries);
    SpareBuffers& spares() { return shared_spares_ != nullptr ? *shared_spares_ : own_spares_; }

    // Timers and the step frame: node.cc.
    void begin_step();
    /// Ends an input: starts what it left pending (timers, a read round), then checks the
    /// invariants, unless `check` is false and nothing was pending (see advance()).
    /// Inline, with the rare work apart (finish_pending), because every input ends here: as
    /// one function it cost 27 instructions per call of its own, mostly register saves for
    /// the rare work.
    void finish_step(Nanos now, bool check = true) {
        if (read_round_pending_ || election_timer_restart_pending_) {
            finish_pending(now);
            return;
        }
        // A follower's every AppendEntries moves the election deadline.
        if (election_deadline_reset_pending_) {
            election_deadline_ = now + election_timeout_;
            election_deadline_reset_pending_ = false;
            check = true;
        }
        if (check) check_invariants();
    }
    /// finish_step() with a read round or a new election timer pending: starts them, then
    /// checks the invariants.
    void finish_pending(Nanos now);
    /// check_invariants() found one broken: asserts each, naming the first broken one and
    /// its values. Never returns.
    [[noreturn, gnu::cold, gnu::noinline]] void report_broken_invariant() const;
    void reset_election_timer(const char* reason);
    void request_new_election_timer();
    void start_election_timer(Nanos now);

    /// Queues a message with `body`, one of MessageBody's alternatives. Built in place in its
    /// outbox from the body itself: a MessageBody made first was moved and destroyed once
    /// more per message (a visit of the variant each).
    template <typename Body>
    void send(NodeId to, Body&& body) {
        send_with_term(to, hard_state_.current_term, std::forward<Body>(body));
    }
    template <typename Body>
    void send_with_term(NodeId to, Term term, Body&& body) {
        // A leader's AppendEntries may leave before its own persist completes; everything
        // else reveals a term, vote or log that must be durable first.
        constexpr bool leaves_now = std::is_same_v<std::remove_cvref_t<Body>, AppendEntries>;
        std::vector<Message>& box = outbox_for(leaves_now);
        const Message& message = box.emplace_back(config_.id, to, term, std::forward<Body>(body));
        // Requests are traced; replies are not. Decided here from the type, and the name
        // looked up only when tracing is on: a call per message to ask was 0.3% of a run.
        if constexpr (!std::is_same_v<std::remove_cvref_t<Body>, RequestVoteReply> &&
                      !std::is_same_v<std::remove_cvref_t<Body>, AppendEntriesReply>) {
            emit("Sending ", [&message] { return message_type_name(message.body); },
                 " to node ", to);
        }
    }
    /// Queues an AppendEntries (it leaves now, see send_with_term) with its fields all zero
    /// and returns its body for the caller to fill at once: built in place, so that the
    /// entries are copied straight into the message and no AppendEntries of its own is moved
    /// and destroyed on the way (a vector destructor each, an out-of-line call).
    AppendEntries& send_append_entries(NodeId to);
    /// The outbox of messages that leave now, or of those that wait for a write.
    std::vector<Message>& outbox_for(bool leaves_now);
    /// Adds a line to the trace (emit_timer: to the election timer's lane). The parts are
    /// formatted only when tracing is on: sweeps run with it off, and formatting lines that
    /// nobody reads was a tenth of their time. A part may be a callable returning text, for a
    /// description that costs something even to compute.
    template <typename... Parts>
    void emit(const Parts&... parts) {
        ++main_lines_in_step_;
        if (config_.trace_enabled) add_main_line(concat_lazy(parts...));
    }
    template <typename... Parts>
    void emit_timer(const Parts&... parts) {
        if (config_.trace_enabled) add_timer_line(concat_lazy(parts...));
    }
    void add_main_line(std::string text);
    void add_timer_line(std::string text);

    Config config_;
    // Bit i set: node i is a voter, for the ids below small_voter_ids (is_voter()).
    static constexpr std::uint64_t small_voter_ids = 64;
    std::uint64_t small_voters_ = 0;
    Prng prng_;
    HardState hard_state_;
    // Persistence (etcd's asynchronous storage writes): what was handed to storage and what is
    // durable. Invariants: log_.stable_index() <= persisting_index_ <= log_.last_index();
    // every entry up to persisting_index_ is in an outstanding or durable write.
    HardState persisting_hard_state_;  // the newest hard state handed out
    HardState persisted_hard_state_;   // the newest hard state durable
    LogIndex persisting_index_;
    std::uint64_t hard_state_write_id_ = 0;  // the write that carries persisting_hard_state_
    WriteTracker writes_;
    Log log_;
    Role role_ = Role::Follower;
    NodeId leader_id_;
    // Invariant: applied_index_ <= commit_index_ <= log_.last_index().
    LogIndex commit_index_;
    LogIndex applied_index_;

    std::set<NodeId> votes_granted_;          // Candidate only.
    ProgressMap progress_;                    // Leader only; peers, not self.
    std::vector<LogIndex> match_indexes_;     // maybe_commit's scratch, reused.
    Nanos heartbeat_deadline_ = no_deadline;  // Leader only.
    Nanos quorum_check_deadline_ = no_deadline;  // Leader with check_quorum only.
    // When this node last heard from the leader it follows (CheckQuorum's lease).
    Nanos last_leader_contact_ = no_deadline;

    // ReadIndex (Leader only): reads waiting for confirmation, and reads that arrived before
    // the leader committed an entry of its term (its commit index may be stale until then).
    ReadIndexTracker reads_;
    std::vector<std::uint64_t> reads_before_term_commit_;
    bool read_round_pending_ = false;
    std::vector<ReadState> reads_ready_;

    // Leadership transfer (Leader only).
    NodeId transfer_target_;
    Nanos transfer_deadline_ = no_deadline;
    bool timeout_now_sent_ = false;

    // The election timer, modelled as the seed's: each "generation" is started with a freshly
    // drawn timeout and numbered by the term it started in; resets move its deadline.
    bool election_timer_running_ = false;
    bool election_timer_restart_pending_ = false;
    bool election_deadline_reset_pending_ = false;
    Nanos election_deadline_ = no_deadline;
    Nanos election_timeout_ = 0;
    Term election_timer_term_;
    // A candidate's timer that was running when it won: it fires once more as a no-op.
    Nanos won_election_deadline_ = no_deadline;
    Term won_election_term_;

    std::vector<Message> outbox_;  // Ready::messages
    std::size_t outbox_reserve_ = 8;  // the room a fresh outbox starts with: the last Ready's
    // Messages that reveal state which must be durable first (Figure 2), not yet placed in
    // writes_ because that state was not handed out yet.
    std::vector<Message> outbox_after_persist_;
    bool ready_outstanding_ = false;
    // Buffers of the entries received by step(Message&&) (and, with shared spares, of those
    // other nodes and storage gave back): copies of log entries (storage writes, appends) are
    // built in them, so that a follower allocates nothing for its writes. A pointer chosen
    // at each use rather than one set to &own_spares_, so that a moved node stays right.
    SpareBuffers* shared_spares_;
    SpareBuffers own_spares_;
    // The entries of the AppendEntries that step(Message&&) took last, when they were all
    // appended after every entry already handed out to storage: the next write takes them as
    // they are (entries_to_write), since a follower writes every entry it receives and copying
    // each out of the log again was 1% of a simulation run. Valid while the log's truncation
    // count is still received_truncations_.
    std::vector<Entry> received_;
    std::uint64_t received_truncations_ = 0;

    std::vector<TraceLine> trace_;
    std::size_t main_lines_in_step_ = 0;
    std::size_t timer_anchor_ = 0;

    NodeCounters counters_;

    // For delta checks in check_invariants().
    Term checked_term_;
    LogIndex checked_commit_index_;
};

}  // namespace raftlink::raft
