// SPDX-License-Identifier: MIT
// N replicas on simulated components: one SimDisk per node (it survives crashes), a shared
// SimNetwork, and per-node Clock, Transport and Storage adapters.
//
// A node boots the seed's way: it recovers its disk (and refuses to start on a corrupt one),
// initialises, listens, dials each peer in id order (retrying every connect_retry while a
// peer is not listening yet), and only then starts consensus and its HTTP server. crash()
// destroys the Replica (volatile state gone, unsynced writes lost, maybe one torn); boot()
// after a crash rebuilds it from its disk. Callbacks scheduled for an earlier incarnation of
// a node are void.
//
// Every input of a node — messages, wake-ups, fsync completions, client requests, its own
// boot steps — goes through dispatch(): while the node is paused the input is held, and on
// resume the held inputs run in their arrival order, so the node acts on stale beliefs
// (a leader that does not know it was deposed, timers that all expired at once).
//
// Each node's clock runs at its own rate (scenario "clocks"): local time = rate * global
// time, rounded down, so it stays monotonic, across restarts too.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/raft/spare_buffers.h"
#include "core/replica.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"
#include "io/sim/sim_disk.h"
#include "io/sim/sim_network.h"
#include "io/sim/trace_printer.h"

namespace raftlink::sim {

class Cluster {
public:
    Cluster(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, TracePrinter& printer);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    std::size_t size() const { return nodes_.size(); }
    /// Starts node `index` (0-based) now: a first start or a restart after a crash. Returns
    /// false, with a [sim] line, when its disk fails recovery: the node stays down, because
    /// it must never start on corrupt state.
    bool boot(std::size_t index);
    /// Kills node `index` now. No-op if it is down.
    void crash(std::size_t index);
    /// Stops an up node's process for `duration`; false (and nothing done) if it is down or
    /// already paused.
    bool pause(std::size_t index, Nanos duration);
    /// Ends a pause now and runs the held inputs in order. No-op if the node is not paused.
    void resume(std::size_t index);
    /// Flips a bit in a stored record of the node's disk; a description of it, or nullopt
    /// when the disk holds no record yet.
    std::optional<std::string> corrupt(std::size_t index);

    /// Runs `request` against the node's replica as a client request arriving now: at once,
    /// or when a pause ends. False if the node is down (the request is lost).
    bool client_request(std::size_t index, std::function<void(Replica&)> request);

    bool up(std::size_t index) const;
    bool paused(std::size_t index) const;
    /// Whether the node ever refused to start on a corrupt disk (it then stays down).
    bool refused(std::size_t index) const;
    /// The node's replica while it is up, else null (for checkers: it reads state only).
    const Replica* replica(std::size_t index) const;
    /// The node's replica while it is up and not paused, else null: a paused process answers
    /// nothing. Clients should prefer client_request(), which holds requests during a pause.
    Replica* replica(std::size_t index);
    /// What a node promised its peers about its persistent state. Figure 2: currentTerm and
    /// votedFor are on stable storage before the node responds to (or sends) anything, so
    /// every message it sent vouches for its term, and a granted vote for its vote in that
    /// term. Pre-vote messages carry a term not adopted and promise nothing. Kept across
    /// incarnations, for the checker to hold a restarted node to.
    struct Promises {
        Term term;   // the highest term of a message it sent
        NodeId vote;  // the candidate it granted its vote to in `term`, if any
    };
    const Promises& promises(std::size_t index) const;
    /// Figure 2 again, for log entries: a successful AppendEntries reply vouches that the
    /// entries up to its match index are on stable storage (the leader counts them toward a
    /// commit). Checked as each reply leaves the node against what its disk has fsynced: the
    /// first reply that ran ahead of its write, described; nullopt while none did.
    const std::optional<std::string>& undurable_acknowledgement(std::size_t index) const;
    /// How many voters sent `candidate` a granted vote of `term` (pre-votes aside), itself not
    /// counted. A leader can have counted no more grants than were sent to it (§5.2).
    std::size_t votes_sent(Term term, NodeId candidate) const;
    /// How many times the node booted; bumps on every boot and crash.
    std::uint64_t incarnation(std::size_t index) const;
    /// Counts the occasions on which the node's state may have changed: an input ran (a
    /// message, a wake-up, a completed write, a client request, a boot step), it booted or
    /// crashed, or its replica was handed out for mutation (the non-const replica()). While it
    /// stays the same, the node's state is the same, so the checker need not look at it: most
    /// events touch one node of the cluster.
    std::uint64_t activity(std::size_t index) const { return activity_[index]; }
    /// The sum of activity() over the nodes: while it stays the same, no node changed, so
    /// what is derived from the nodes' state (the leader, the checker's verdict) is the same.
    std::uint64_t activity_total() const { return activity_total_; }
    /// The node whose activity() counted last (0 before any): when activity_total() moved on
    /// by one, the only node that may have changed.
    std::size_t last_active() const { return last_active_; }
    /// The index of an up node that is leader in the highest term, if any.
    std::optional<std::size_t> leader() const;
    /// The key of the replicas' short-code bijection (the same on every node).
    std::uint64_t code_key() const;
    /// The rate of the node's clock relative to virtual time (1 without drift).
    double clock_rate(std::size_t index) const;

    SimNetwork& network() { return *network_; }
    const SimNetwork& network() const { return *network_; }
    std::uint64_t fsyncs() const;

private:
    friend class SimNetwork;  // deliver()
    struct Node;
    class NodeClock;
    class NodeTransport;
    class NodeStorage;

    bool deliver(raft::Message&& message);
    /// Called for every message a node sends; only its fast path is inline. The granted vote
    /// and the description of a failed check are calls of their own: with them inline, the
    /// function saved and restored registers for them on every message (speed-5 seed 1:
    /// 52,630 messages, 18,561 of them checked acknowledgements, 142 granted votes).
    [[gnu::always_inline]] inline void record_promise(std::size_t index,
                                                      const raft::Message& message);
    [[gnu::noinline]] void record_vote(std::size_t index, const raft::Message& message);
    [[gnu::always_inline]] inline void check_acknowledgement_durable(
        std::size_t index, const raft::Message& message);
    [[gnu::cold, gnu::noinline]] void describe_undurable_acknowledgement(
        std::size_t index, const raft::Message& message, LogIndex match);
    void connect_next_peer(std::size_t index);
    ReplicaConfig replica_config(std::size_t index) const;
    bool alive(std::size_t index, std::uint64_t incarnation) const;
    /// Runs `input` for the node's incarnation `incarnation`: now, held while the node is
    /// paused, or never if that incarnation is gone. A template, so that an input that runs
    /// at once (the usual case) is never wrapped.
    template <typename Input>
    void dispatch(std::size_t index, std::uint64_t incarnation, Input&& input);
    /// Keeps an input of a paused node for its resume (up to held_inputs_max).
    void hold(std::size_t index, Action input);
    /// Counts an occasion on which the node's state may change (see activity()).
    void touch(std::size_t index) {
        ++activity_[index];
        ++activity_total_;
        last_active_ = index;
    }

    const Scenario& scenario_;
    std::uint64_t seed_;
    EventLoop& loop_;
    TracePrinter& printer_;
    Prng boot_prng_;
    // The spare entry buffers of every node (raft::SpareBuffers): a leader copies entries into
    // buffers its followers received and the disks wrote. Declared before what uses it (the
    // nodes, their disks, messages in flight), so that it outlives them; crashes leave it.
    raft::SpareBuffers spares_;
    std::unique_ptr<SimNetwork> network_;
    std::vector<std::unique_ptr<Node>> nodes_;
    // Every granted vote sent: (term, candidate) -> the voters. Ordered containers, so nothing
    // here depends on hashing; read only by the checker.
    std::map<std::pair<Term, NodeId>, std::set<NodeId>> votes_sent_;
    /// activity() per node.
    std::vector<std::uint64_t> activity_;
    std::uint64_t activity_total_ = 0;
    std::size_t last_active_ = 0;
};

}  // namespace raftlink::sim
