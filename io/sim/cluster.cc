// SPDX-License-Identifier: MIT
#include "io/sim/cluster.h"

#include <cmath>
#include <limits>
#include <utility>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::sim {
namespace {

/// Inputs held for one paused node. A pause is bounded in time, so this is only reached by a
/// scenario that pauses a node for minutes under heavy load; past it, inputs are dropped, as a
/// full socket buffer would drop them (safe in Raft: every message may be lost).
constexpr std::size_t held_inputs_max = 100'000;

/// Times beyond this are "never" for a clock conversion (far past any run, far from overflow).
constexpr Nanos clock_time_max = std::numeric_limits<Nanos>::max() / 4;

}  // namespace

/// Local time = floor(rate * global time): monotonic, and exactly global time at rate 1.
class Cluster::NodeClock final : public Clock {
public:
    NodeClock(Cluster& cluster, std::size_t index, double rate)
        : cluster_(cluster), index_(index), rate_(rate) {}

    Nanos now() const override {
        // A node reads its clock several times per input (the input, then each Ready), all
        // at one instant: a drifting clock converts that instant once.
        const Nanos global_now = cluster_.loop_.now();
        if (global_now != converted_global_) {
            converted_global_ = global_now;
            converted_local_ = local(global_now);
        }
        return converted_local_;
    }

    void wake_at(Nanos deadline) override;

    std::int64_t wall_now_ms() const override {
        return cluster_.scenario_.epoch_unix_ms + now() / nanos_per_ms;
    }

    double rate() const { return rate_; }

private:
    Nanos local(Nanos global_time) const {
        if (rate_ == 1.0) return global_time;
        return static_cast<Nanos>(std::floor(static_cast<double>(global_time) * rate_));
    }

    /// The first global time whose local time reaches `deadline`, so a wake-up never fires
    /// early by the node's own clock.
    Nanos global(Nanos deadline) const {
        if (rate_ == 1.0 || deadline <= 0) return deadline;
        if (deadline >= clock_time_max) return clock_time_max;
        Nanos time = static_cast<Nanos>(std::ceil(static_cast<double>(deadline) / rate_));
        // Floating-point rounding can leave the estimate a nanosecond or two off either way.
        constexpr int corrections_max = 8;
        for (int i = 0; i < corrections_max && local(time) < deadline; ++i) ++time;
        for (int i = 0; i < corrections_max && time > 0 && local(time - 1) >= deadline; ++i) {
            --time;
        }
        ASSERT_GE(local(time), deadline);
        return time;
    }

    Cluster& cluster_;
    std::size_t index_;
    double rate_;
    // now()'s last conversion: global time -> local time (local(0) is 0).
    mutable Nanos converted_global_ = 0;
    mutable Nanos converted_local_ = 0;
    /// wake_at() calls so far: the wake-up of the newest one is the only one that runs.
    std::uint64_t wake_requests_ = 0;
};

class Cluster::NodeTransport final : public Transport {
public:
    NodeTransport(Cluster& cluster, std::size_t index) : cluster_(cluster), index_(index) {}
    void send(const raft::Message& message) override {
        cluster_.record_promise(index_, message);
        cluster_.network_->send(message);
    }
    void send(raft::Message&& message) override {
        cluster_.record_promise(index_, message);
        cluster_.network_->send(std::move(message));
    }

private:
    Cluster& cluster_;
    std::size_t index_;
};

/// The node's disk as its replica sees it: a completed fsync is an input of the process, so
/// its callback is held during a pause like any other input.
class Cluster::NodeStorage final : public Storage {
public:
    NodeStorage(Cluster& cluster, std::size_t index) : cluster_(cluster), index_(index) {}

    raft::PersistentState load() override;
    void write(WriteBatch batch, std::function<void()> on_durable) override;

private:
    Cluster& cluster_;
    std::size_t index_;
};

struct Cluster::Node {
    NodeId id;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<NodeClock> clock;
    std::unique_ptr<NodeTransport> transport;
    std::unique_ptr<NodeStorage> storage;
    std::unique_ptr<Replica> replica;  // null while down
    Prng disk_faults{0};               // tears and bit flips of this node's disk
    std::uint64_t incarnation = 0;
    bool listening = false;
    bool refused = false;              // refused to start on a corrupt disk
    std::size_t next_peer = 0;         // boot: the next peer to dial
    bool dial_logged = false;
    bool paused = false;
    std::uint64_t pause_generation = 0;  // bumped per pause; a stale resume is void
    std::deque<Action> held;
    std::uint64_t held_dropped = 0;
    Promises promises;  // across incarnations
    std::optional<std::string> undurable_acknowledgement;
};

template <typename Input>
void Cluster::dispatch(std::size_t index, std::uint64_t incarnation, Input&& input) {
    if (!alive(index, incarnation)) return;
    if (!nodes_[index]->paused) {
        touch(index);
        input();
        return;
    }
    hold(index, Action(std::forward<Input>(input)));
}

void Cluster::hold(std::size_t index, Action input) {
    Node& node = *nodes_[index];
    if (node.held.size() >= held_inputs_max) {
        ++node.held_dropped;
        return;
    }
    node.held.push_back(std::move(input));
}

void Cluster::NodeClock::wake_at(Nanos deadline) {
    // A later request replaces an earlier one (Clock's contract), as the real node's one
    // re-armed timer does: the earlier request's event still runs, but does nothing. The
    // Replica asks again only for an earlier deadline, so before this two of three wake-ups
    // ran on_time() for a deadline already replaced (5,119 of 7,372 in speed-5 seed 1 with
    // 12 clients), and a paused node held each of them until it resumed.
    const std::uint64_t incarnation = cluster_.incarnation(index_);
    const std::uint64_t request = ++wake_requests_;
    cluster_.loop_.at(global(deadline), [this, incarnation, request]() {
        if (request != wake_requests_) return;
        cluster_.dispatch(index_, incarnation,
                          [this]() { cluster_.nodes_[index_]->replica->on_time(); });
    });
}

raft::PersistentState Cluster::NodeStorage::load() { return cluster_.nodes_[index_]->disk->load(); }

void Cluster::NodeStorage::write(WriteBatch batch, std::function<void()> on_durable) {
    const std::uint64_t incarnation = cluster_.incarnation(index_);
    cluster_.nodes_[index_]->disk->write_then(
        std::move(batch), [this, incarnation, done = std::move(on_durable)]() mutable {
            cluster_.dispatch(index_, incarnation, std::move(done));
        });
}

Cluster::Cluster(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                 TracePrinter& printer)
    : scenario_(scenario),
      seed_(seed),
      loop_(loop),
      printer_(printer),
      boot_prng_(Prng::derive(seed, "sim.boot", 0)),
      // Larger bounds than one node's: a restarted node's catch-up passes hundreds of entries
      // through the pool at once (appends, its writes, the disk giving them back), and with
      // a node's 256 buffers a third of all copies still allocated (speed-5 seed 1: 317.8M
      // instructions with 256, 314.9M with 1024 and with 4096).
      spares_(1024, 64) {
    network_ = std::make_unique<SimNetwork>(loop, scenario, Prng::derive(seed, "sim.network", 0),
                                            *this);
    for (std::size_t i = 0; i < scenario.node_count; ++i) {
        auto node = std::make_unique<Node>();
        node->id = NodeId(i + 1);
        node->disk = std::make_unique<SimDisk>(loop, scenario.fsync_latency,
                                               Prng::derive(seed, "sim.disk", i), &spares_);
        node->disk_faults = Prng::derive(seed, "sim.disk_faults", i);
        double rate = 1.0;
        if (scenario.drift_ratio_max > 0) {
            Prng drift = Prng::derive(seed, "sim.clocks", i);
            rate = 1.0 + scenario.drift_ratio_max * (2.0 * drift.unit() - 1.0);
        }
        node->clock = std::make_unique<NodeClock>(*this, i, rate);
        node->transport = std::make_unique<NodeTransport>(*this, i);
        node->storage = std::make_unique<NodeStorage>(*this, i);
        nodes_.push_back(std::move(node));
    }
    activity_.assign(nodes_.size(), 0);
}

Cluster::~Cluster() = default;

ReplicaConfig Cluster::replica_config(std::size_t index) const {
    ReplicaConfig config;
    config.raft.id = nodes_[index]->id;
    for (const auto& node : nodes_) config.raft.voters.push_back(node->id);
    config.raft.election_timeout_min = scenario_.election_timeout_min + scenario_.debug_addend;
    config.raft.election_timeout_max = scenario_.election_timeout_max + scenario_.debug_addend;
    config.raft.heartbeat_interval = scenario_.heartbeat_interval + scenario_.debug_addend;
    // A restarted node draws new timeouts: its generator is seeded per incarnation.
    config.raft.seed = seed_ ^ (nodes_[index]->incarnation * 0x9e3779b97f4a7c15ULL);
    config.code_key = code_key();
    config.raft.pre_vote = scenario_.pre_vote;
    config.raft.check_quorum = scenario_.check_quorum;
    config.raft.entries_per_append_max = scenario_.entries_per_append_max;
    config.raft.inflight_appends_max = scenario_.inflight_appends_max;
    config.raft.replicate_on_heartbeat_only = scenario_.replicate_on_heartbeat_only;
    config.commit_timeout = scenario_.commit_timeout;
    // Nobody reads lines the printer drops; the node then does not produce them.
    config.raft.trace_enabled = printer_.enabled();
    return config;
}

bool Cluster::boot(std::size_t index) {
    Node& node = *nodes_.at(index);
    ASSERT(node.replica == nullptr);
    // A node must never start on corrupt state: recovery checks every record first.
    if (const std::optional<Error> corrupt = node.disk->verify()) {
        node.refused = true;
        printer_.sim_line(concat("node ", index + 1, " refuses to start: ", corrupt->message));
        return false;
    }
    const std::uint64_t incarnation = ++node.incarnation;
    touch(index);
    node.paused = false;
    node.held.clear();
    node.replica = std::make_unique<Replica>(replica_config(index), *node.clock, *node.transport,
                                             *node.storage, printer_, &spares_);
    node.replica->trace(concat("Joining cluster with ", nodes_.size(), " nodes"));
    node.next_peer = 0;
    node.dial_logged = false;
    // The seed started its RPC listener and its store's apply loop concurrently; the jitter
    // models that race (its order differs between the seed's nodes).
    const auto jitter_max = scenario_.boot_jitter_max;
    loop_.after(boot_prng_.uniform(0, jitter_max), [this, index, incarnation]() {
        dispatch(index, incarnation, [this, index]() {
            const std::uint64_t rpc_port = scenario_.use_ports_from + nodes_.size() + index;
            nodes_[index]->replica->trace(concat("RPC: listening on port ", rpc_port));
            nodes_[index]->listening = true;
            connect_next_peer(index);
        });
    });
    loop_.after(boot_prng_.uniform(0, jitter_max), [this, index, incarnation]() {
        dispatch(index, incarnation, [this, index]() {
            nodes_[index]->replica->trace("URLStore: start listening to new committed commands");
        });
    });
    return true;
}

void Cluster::connect_next_peer(std::size_t index) {
    Node& node = *nodes_[index];
    while (node.next_peer < nodes_.size()) {
        const std::size_t peer = node.next_peer;
        if (peer == index) {
            ++node.next_peer;
            continue;
        }
        if (!node.dial_logged) {
            node.replica->trace(concat("RPC: start connecting to node ", peer + 1));
            node.dial_logged = true;
        }
        // Only the first start waits for every peer, as the seed's dial loop did; a restarted
        // node's transport reconnects to a down peer later, and a peer that never comes back
        // (a corrupt disk) must not keep it from serving the majority.
        const bool restart = node.incarnation > 1;
        if (!nodes_[peer]->listening && restart) {
            node.dial_logged = false;
            ++node.next_peer;
            continue;
        }
        if (!nodes_[peer]->listening) {
            const std::uint64_t incarnation = node.incarnation;
            loop_.after(scenario_.connect_retry, [this, index, incarnation]() {
                dispatch(index, incarnation, [this, index]() { connect_next_peer(index); });
            });
            return;
        }
        node.replica->trace(concat("RPC: connected to node ", peer + 1));
        node.dial_logged = false;
        ++node.next_peer;
    }
    node.replica->start();
    node.replica->trace(concat("Starting HTTP server on port ", scenario_.use_ports_from + index));
}

void Cluster::crash(std::size_t index) {
    Node& node = *nodes_.at(index);
    if (node.replica == nullptr) return;
    node.replica.reset();
    node.disk->crash(node.disk_faults, scenario_.torn_write_ratio);
    node.listening = false;
    node.paused = false;
    node.held.clear();
    ++node.incarnation;
    touch(index);
}

bool Cluster::pause(std::size_t index, Nanos duration) {
    Node& node = *nodes_.at(index);
    if (node.replica == nullptr || node.paused) return false;
    ASSERT_GT(duration, 0);
    node.paused = true;
    const std::uint64_t generation = ++node.pause_generation;
    const std::uint64_t incarnation = node.incarnation;
    loop_.after(duration, [this, index, generation, incarnation]() {
        const Node& paused = *nodes_[index];
        if (paused.incarnation != incarnation || paused.pause_generation != generation) return;
        resume(index);
    });
    return true;
}

void Cluster::resume(std::size_t index) {
    Node& node = *nodes_.at(index);
    if (!node.paused) return;
    node.paused = false;
    ++node.pause_generation;
    if (node.held_dropped > 0) {
        printer_.sim_line(concat("node ", index + 1, " dropped ", node.held_dropped,
                                 " inputs held over ", held_inputs_max));
        node.held_dropped = 0;
    }
    std::deque<Action> held = std::move(node.held);
    node.held.clear();
    printer_.sim_line(concat("resume node ", index + 1, " (", held.size(), " held inputs)"));
    // In arrival order, in this one event: the process catches up on everything at once.
    const std::uint64_t incarnation = node.incarnation;
    for (Action& input : held) dispatch(index, incarnation, std::move(input));
}

std::optional<std::string> Cluster::corrupt(std::size_t index) {
    Node& node = *nodes_.at(index);
    return node.disk->corrupt(node.disk_faults);
}

bool Cluster::client_request(std::size_t index, std::function<void(Replica&)> request) {
    if (!up(index)) return false;
    dispatch(index, nodes_[index]->incarnation, [this, index, request = std::move(request)]() {
        request(*nodes_[index]->replica);
    });
    return true;
}

bool Cluster::deliver(raft::Message&& message) {
    const std::uint64_t to = message.to.value;
    if (to == 0 || to > nodes_.size()) return false;
    Node& node = *nodes_[to - 1];
    if (node.replica == nullptr) return false;
    if (!node.paused) {
        touch(to - 1);
        node.replica->on_message(std::move(message));
        return true;
    }
    hold(to - 1, [this, to, message = std::move(message)]() mutable {
        nodes_[to - 1]->replica->on_message(std::move(message));
    });
    return true;
}

bool Cluster::alive(std::size_t index, std::uint64_t incarnation) const {
    return nodes_[index]->replica != nullptr && nodes_[index]->incarnation == incarnation;
}

void Cluster::record_promise(std::size_t index, const raft::Message& message) {
    const auto* vote_request = std::get_if<raft::RequestVote>(&message.body);
    const auto* vote_reply = std::get_if<raft::RequestVoteReply>(&message.body);
    if ((vote_request != nullptr && vote_request->pre_vote) ||
        (vote_reply != nullptr && vote_reply->pre_vote)) {
        return;
    }
    Promises& promises = nodes_[index]->promises;
    if (message.term > promises.term) promises = Promises{message.term, no_node};
    if (vote_reply != nullptr && vote_reply->vote_granted) record_vote(index, message);
    check_acknowledgement_durable(index, message);
}

void Cluster::record_vote(std::size_t index, const raft::Message& message) {
    Promises& promises = nodes_[index]->promises;
    if (message.term == promises.term) promises.vote = message.to;
    votes_sent_[{message.term, message.to}].insert(message.from);
}

void Cluster::check_acknowledgement_durable(std::size_t index, const raft::Message& message) {
    const auto* reply = std::get_if<raft::AppendEntriesReply>(&message.body);
    Node& node = *nodes_[index];
    if (reply == nullptr || !reply->success || reply->match_index == LogIndex(0) ||
        node.undurable_acknowledgement || node.replica == nullptr) {
        return;
    }
    // The node's log holds the entries it acknowledged (it drops an acknowledgement whose
    // entries a later term replaced); their durable copies must have the same terms. Terms
    // suffice: a log has at most one entry per index and term (§5.3, Log Matching).
    const LogIndex match = reply->match_index;
    const raft::Log& log = node.replica->node().log();
    const SimDisk& disk = *node.disk;
    if (match <= log.last_index() && disk.durable_last_index() >= match &&
        disk.durable_term(match) == log.term_at(match)) {
        return;
    }
    describe_undurable_acknowledgement(index, message, match);
}

void Cluster::describe_undurable_acknowledgement(std::size_t index, const raft::Message& message,
                                                 LogIndex match) {
    Node& node = *nodes_[index];
    const raft::Log& log = node.replica->node().log();
    if (match > log.last_index()) {
        // A correct node drops such an acknowledgement (its entries were replaced since).
        node.undurable_acknowledgement =
            concat("node ", index + 1, " acknowledged entries up to index ", match,
                   " to node ", message.to, " in term ", message.term,
                   " but its log ends at index ", log.last_index(), " (term ",
                   node.replica->node().current_term(), ")");
        return;
    }
    const SimDisk& disk = *node.disk;
    const LogIndex durable_last = disk.durable_last_index();
    node.undurable_acknowledgement =
        concat("node ", index + 1, " acknowledged entries up to index ", match, " (term ",
               log.term_at(match), ") to node ", message.to, " in term ", message.term,
               " before they were durable: its disk holds ", durable_last.value, " entries",
               durable_last >= match
                   ? concat(", index ", match, " of term ", disk.durable_term(match))
                   : std::string());
}

std::size_t Cluster::votes_sent(Term term, NodeId candidate) const {
    const auto found = votes_sent_.find({term, candidate});
    return found == votes_sent_.end() ? 0 : found->second.size();
}

const Cluster::Promises& Cluster::promises(std::size_t index) const {
    return nodes_.at(index)->promises;
}

const std::optional<std::string>& Cluster::undurable_acknowledgement(std::size_t index) const {
    return nodes_.at(index)->undurable_acknowledgement;
}

bool Cluster::up(std::size_t index) const { return nodes_.at(index)->replica != nullptr; }

bool Cluster::paused(std::size_t index) const { return nodes_.at(index)->paused; }

bool Cluster::refused(std::size_t index) const { return nodes_.at(index)->refused; }

const Replica* Cluster::replica(std::size_t index) const { return nodes_.at(index)->replica.get(); }

Replica* Cluster::replica(std::size_t index) {
    Node& node = *nodes_.at(index);
    if (node.paused || node.replica == nullptr) return nullptr;
    touch(index);  // the caller may change it
    return node.replica.get();
}

std::uint64_t Cluster::incarnation(std::size_t index) const {
    return nodes_.at(index)->incarnation;
}

std::optional<std::size_t> Cluster::leader() const {
    // The simulator asks after every event, so this reads the nodes directly.
    std::optional<std::size_t> best;
    Term best_term;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Replica* r = nodes_[i]->replica.get();
        if (r == nullptr || r->node().role() != raft::Role::Leader) continue;
        const Term term = r->node().current_term();
        if (!best || term > best_term) {
            best = i;
            best_term = term;
        }
    }
    return best;
}

std::uint64_t Cluster::code_key() const {
    return Prng::derive(seed_, "cluster.code_key", 0).next_u64();
}

double Cluster::clock_rate(std::size_t index) const { return nodes_.at(index)->clock->rate(); }

std::uint64_t Cluster::fsyncs() const {
    std::uint64_t total = 0;
    for (const auto& node : nodes_) total += node->disk->fsyncs();
    return total;
}

}  // namespace raftlink::sim
