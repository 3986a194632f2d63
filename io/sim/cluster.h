// SPDX-License-Identifier: MIT
// N replicas on simulated components: one SimDisk per node (it survives crashes), a shared
// SimNetwork, and per-node Clock and Transport adapters.
//
// A node boots the seed's way: it initialises, listens, dials each peer in id order (retrying
// every connect_retry while a peer is not listening yet), and only then starts consensus and
// its HTTP server. crash() destroys the Replica (volatile state gone, unsynced writes lost);
// boot() after a crash rebuilds it from its disk. Callbacks scheduled for an earlier
// incarnation of a node are void.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

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
    /// Starts node `index` (0-based) now: a first start or a restart after a crash.
    void boot(std::size_t index);
    /// Kills node `index` now. No-op if it is down.
    void crash(std::size_t index);

    bool up(std::size_t index) const;
    /// The node's replica while it is up, else null.
    const Replica* replica(std::size_t index) const;
    Replica* replica(std::size_t index);
    /// How many times the node booted; bumps on every boot and crash.
    std::uint64_t incarnation(std::size_t index) const;
    /// The index of an up node that is leader in the highest term, if any.
    std::optional<std::size_t> leader() const;

    SimNetwork& network() { return *network_; }
    std::uint64_t fsyncs() const;

private:
    struct Node;
    class NodeClock;
    class NodeTransport;

    bool deliver(const raft::Message& message);
    void connect_next_peer(std::size_t index, std::uint64_t incarnation);
    ReplicaConfig replica_config(std::size_t index) const;
    bool alive(std::size_t index, std::uint64_t incarnation) const;

    const Scenario& scenario_;
    std::uint64_t seed_;
    EventLoop& loop_;
    TracePrinter& printer_;
    Prng boot_prng_;
    std::unique_ptr<SimNetwork> network_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace raftlink::sim
