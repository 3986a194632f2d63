// SPDX-License-Identifier: MIT
// The simulated network between the nodes of one cluster.
//
// Each message is delivered after a delay drawn from its link's latency model (a per-link
// override or the scenario's default), so messages reorder whenever delays differ. A message
// may be lost (loss_ratio), delivered twice (duplicate_ratio), or dropped by a cut: a fault
// blocks a set of directed pairs (partition, isolate, one-way, bridge) until it heals. A cut
// drops what is sent while it lasts and what is still in flight when it starts. A message to
// a node that is down, or that crashed while the message was in flight, is lost.
//
// Every draw comes from the network's own Prng stream. The network only hands messages to
// the Cluster (Cluster::deliver) or, in a test, to a delivery function; it knows nothing of
// Raft.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/prng.h"
#include "core/raft/messages.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

class Cluster;

class SimNetwork {
public:
    /// Called at delivery time with the message to keep; returns false if the destination
    /// could not take it.
    using Deliver = std::function<bool(raft::Message&&)>;
    /// A directed pair of node indexes (0-based): messages from .first to .second.
    using Link = std::pair<std::size_t, std::size_t>;

    /// Delivers to `cluster` (Cluster::deliver, which returns false if the destination could
    /// not take the message): a direct call, inlined into deliver_parked(), where a
    /// std::function was a call of its own for every message (speed-5 seed 1: 250.4M
    /// instructions with it, 249.4M without).
    SimNetwork(EventLoop& loop, const Scenario& scenario, Prng prng, Cluster& cluster);
    /// Delivers through `deliver` (tests of the network alone).
    SimNetwork(EventLoop& loop, const Scenario& scenario, Prng prng, Deliver deliver);

    /// Sends `message`; it arrives after a random delay, maybe twice, or is lost. Taken by
    /// rvalue reference, so that a sent message is moved once, into its slot.
    void send(raft::Message&& message);
    void send(const raft::Message& message) { send(raft::Message(message)); }
    /// A delay for one trip across the network on the default latency (clients use it).
    Nanos sample_delay();

    /// Blocks every link in `links` until heal(id) or heal_all(); returns the cut's id.
    std::uint64_t cut(const std::vector<Link>& links);
    /// Removes one cut; a no-op if heal_all() already removed it.
    void heal(std::uint64_t cut_id);
    /// Removes every cut.
    void heal_all();
    bool blocked(std::size_t from, std::size_t to) const;
    bool has_cuts() const { return !cuts_.empty(); }

    std::uint64_t sent() const { return sent_; }
    std::uint64_t delivered() const { return delivered_; }
    std::uint64_t dropped() const { return dropped_; }
    std::uint64_t duplicated() const { return duplicated_; }

private:
    Nanos sample_link_delay(std::size_t from, std::size_t to);
    bool in_range(const raft::Message& message) const;
    /// Keeps `message` until its delivery event; returns its slot. The event carries only the
    /// slot, so scheduling a message copies no entries. Inlined into send() (its only caller):
    /// as a call, it saved and restored six registers on every message (speed-5 seed 1:
    /// 259.6M instructions as a call, 258.4M inlined).
    [[gnu::always_inline]] inline std::uint32_t park(raft::Message&& message);
    /// Adds a chunk of free slots for messages in flight.
    void add_chunk();
    /// Hands the message in `slot` to the delivery function (unless `drop`), then frees the
    /// slot. The message is delivered from its slot, without a move.
    void deliver_parked(std::uint32_t slot, bool drop);
    void arrive(std::uint32_t slot, std::size_t from, std::size_t to);
    std::optional<raft::Message>& parked(std::uint32_t slot) {
        return in_flight_[slot >> chunk_bits][slot & (chunk_slots - 1)];
    }

    EventLoop& loop_;
    std::size_t node_count_;
    LatencyModel latency_;
    /// Per directed link (from * node_count + to): the override, if the scenario gives one.
    std::vector<std::optional<LatencyModel>> link_latency_;
    double loss_ratio_;
    double duplicate_ratio_;
    Prng prng_;
    /// Where messages go: the cluster, or else deliver_.
    Cluster* cluster_ = nullptr;
    Deliver deliver_;
    /// Messages in flight by slot (see parked()), in chunks that never move, as a delivery
    /// sends messages that may need a new chunk; free_slots_ lists the slots not in use.
    static constexpr std::uint32_t chunk_bits = 6;
    static constexpr std::uint32_t chunk_slots = std::uint32_t{1} << chunk_bits;
    std::vector<std::unique_ptr<std::optional<raft::Message>[]>> in_flight_;
    std::vector<std::uint32_t> free_slots_;
    /// Active cuts by id (ordered, so that iteration is deterministic), and per directed link
    /// how many of them block it.
    std::map<std::uint64_t, std::vector<Link>> cuts_;
    std::vector<std::uint32_t> blocking_;
    std::uint64_t next_cut_id_ = 1;
    std::uint64_t sent_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t duplicated_ = 0;
};

}  // namespace raftlink::sim
