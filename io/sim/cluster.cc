// SPDX-License-Identifier: MIT
#include "io/sim/cluster.h"

#include <utility>

#include "core/assert.h"
#include "core/text.h"

namespace raftlink::sim {

class Cluster::NodeClock final : public Clock {
public:
    NodeClock(Cluster& cluster, std::size_t index) : cluster_(cluster), index_(index) {}
    Nanos now() const override { return cluster_.loop_.now(); }
    void wake_at(Nanos deadline) override {
        const std::uint64_t incarnation = cluster_.incarnation(index_);
        cluster_.loop_.at(deadline, [this, incarnation]() {
            if (cluster_.alive(index_, incarnation)) cluster_.replica(index_)->on_time();
        });
    }
    std::int64_t wall_now_ms() const override {
        return cluster_.scenario_.epoch_unix_ms + now() / nanos_per_ms;
    }

private:
    Cluster& cluster_;
    std::size_t index_;
};

class Cluster::NodeTransport final : public Transport {
public:
    explicit NodeTransport(Cluster& cluster) : cluster_(cluster) {}
    void send(const raft::Message& message) override { cluster_.network_->send(message); }

private:
    Cluster& cluster_;
};

struct Cluster::Node {
    NodeId id;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<NodeClock> clock;
    std::unique_ptr<NodeTransport> transport;
    std::unique_ptr<Replica> replica;  // null while down
    std::uint64_t incarnation = 0;
    bool listening = false;
    std::size_t next_peer = 0;          // boot: the next peer to dial
    bool dial_logged = false;
};

Cluster::Cluster(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                 TracePrinter& printer)
    : scenario_(scenario),
      seed_(seed),
      loop_(loop),
      printer_(printer),
      boot_prng_(Prng::derive(seed, "sim.boot", 0)) {
    network_ = std::make_unique<SimNetwork>(
        loop, scenario.network_latency, Prng::derive(seed, "sim.network", 0),
        [this](const raft::Message& message) { return deliver(message); });
    for (std::size_t i = 0; i < scenario.node_count; ++i) {
        auto node = std::make_unique<Node>();
        node->id = NodeId(i + 1);
        node->disk = std::make_unique<SimDisk>(loop, scenario.fsync_latency,
                                               Prng::derive(seed, "sim.disk", i));
        node->clock = std::make_unique<NodeClock>(*this, i);
        node->transport = std::make_unique<NodeTransport>(*this);
        nodes_.push_back(std::move(node));
    }
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
    config.code_key = Prng::derive(seed_, "cluster.code_key", 0).next_u64();
    config.commit_timeout = scenario_.commit_timeout;
    return config;
}

void Cluster::boot(std::size_t index) {
    Node& node = *nodes_.at(index);
    ASSERT(node.replica == nullptr);
    const std::uint64_t incarnation = ++node.incarnation;
    node.replica = std::make_unique<Replica>(replica_config(index), *node.clock, *node.transport,
                                             *node.disk, printer_);
    node.replica->trace(concat("Joining cluster with ", nodes_.size(), " nodes"));
    node.next_peer = 0;
    node.dial_logged = false;
    // The seed started its RPC listener and its store's apply loop concurrently; the jitter
    // models that race (its order differs between the seed's nodes).
    const auto jitter_max = scenario_.boot_jitter_max;
    loop_.after(boot_prng_.uniform(0, jitter_max), [this, index, incarnation]() {
        if (!alive(index, incarnation)) return;
        const std::uint64_t rpc_port = scenario_.use_ports_from + nodes_.size() + index;
        replica(index)->trace(concat("RPC: listening on port ", rpc_port));
        nodes_[index]->listening = true;
        connect_next_peer(index, incarnation);
    });
    loop_.after(boot_prng_.uniform(0, jitter_max), [this, index, incarnation]() {
        if (!alive(index, incarnation)) return;
        replica(index)->trace("URLStore: start listening to new committed commands");
    });
}

void Cluster::connect_next_peer(std::size_t index, std::uint64_t incarnation) {
    if (!alive(index, incarnation)) return;
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
        if (!nodes_[peer]->listening) {
            loop_.after(scenario_.connect_retry,
                        [this, index, incarnation]() { connect_next_peer(index, incarnation); });
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
    node.disk->crash();
    node.listening = false;
    ++node.incarnation;
}

bool Cluster::deliver(const raft::Message& message) {
    const std::uint64_t to = message.to.value;
    if (to == 0 || to > nodes_.size()) return false;
    Replica* target = replica(to - 1);
    if (target == nullptr) return false;
    target->on_message(message);
    return true;
}

bool Cluster::alive(std::size_t index, std::uint64_t incarnation) const {
    return nodes_[index]->replica != nullptr && nodes_[index]->incarnation == incarnation;
}

bool Cluster::up(std::size_t index) const { return nodes_.at(index)->replica != nullptr; }

const Replica* Cluster::replica(std::size_t index) const { return nodes_.at(index)->replica.get(); }

Replica* Cluster::replica(std::size_t index) { return nodes_.at(index)->replica.get(); }

std::uint64_t Cluster::incarnation(std::size_t index) const { return nodes_.at(index)->incarnation; }

std::optional<std::size_t> Cluster::leader() const {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Replica* r = replica(i);
        if (r == nullptr || r->node().role() != raft::Role::Leader) continue;
        if (!best || r->node().current_term() > replica(*best)->node().current_term()) best = i;
    }
    return best;
}

std::uint64_t Cluster::fsyncs() const {
    std::uint64_t total = 0;
    for (const auto& node : nodes_) total += node->disk->fsyncs();
    return total;
}

}  // namespace raftlink::sim
