// SPDX-License-Identifier: MIT
#include "io/sim/sim_network.h"

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "io/sim/cluster.h"
#include "io/sim/latency.h"

namespace raftlink::sim {

SimNetwork::SimNetwork(EventLoop& loop, const Scenario& scenario, Prng prng, Cluster& cluster)
    : SimNetwork(loop, scenario, prng, Deliver()) {
    cluster_ = &cluster;
}

SimNetwork::SimNetwork(EventLoop& loop, const Scenario& scenario, Prng prng, Deliver deliver)
    : loop_(loop),
      node_count_(scenario.node_count),
      latency_(scenario.network_latency),
      link_latency_(scenario.node_count * scenario.node_count),
      loss_ratio_(scenario.loss_ratio),
      duplicate_ratio_(scenario.duplicate_ratio),
      prng_(prng),
      deliver_(std::move(deliver)),
      blocking_(scenario.node_count * scenario.node_count, 0) {
    // send() draws against these without Prng::chance's checks.
    ASSERT(loss_ratio_ >= 0.0 && loss_ratio_ <= 1.0);
    ASSERT(duplicate_ratio_ >= 0.0 && duplicate_ratio_ <= 1.0);
    for (const LinkLatency& link : scenario.link_latencies) {
        ASSERT_GE(link.from, 1U);
        ASSERT_LE(link.from, node_count_);
        ASSERT_GE(link.to, 1U);
        ASSERT_LE(link.to, node_count_);
        link_latency_[(link.from - 1) * node_count_ + (link.to - 1)] = link.latency;
    }
}

bool SimNetwork::in_range(const raft::Message& message) const {
    return message.from.value >= 1 && message.from.value <= node_count_ &&
           message.to.value >= 1 && message.to.value <= node_count_;
}

void SimNetwork::add_chunk() {
    const auto first = static_cast<std::uint32_t>(in_flight_.size()) << chunk_bits;
    in_flight_.push_back(std::make_unique<std::optional<raft::Message>[]>(chunk_slots));
    // Lowest slot on top; which slot a message gets never affects the run.
    for (std::uint32_t i = chunk_slots; i > 0; --i) free_slots_.push_back(first + i - 1);
}

std::uint32_t SimNetwork::park(raft::Message&& message) {
    if (free_slots_.empty()) add_chunk();
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    parked(slot).emplace(std::move(message));
    return slot;
}

void SimNetwork::deliver_parked(std::uint32_t slot, bool drop) {
    std::optional<raft::Message>& message = parked(slot);
    ASSERT(message.has_value());
    if (drop) {
        ++dropped_;
    } else if (cluster_ != nullptr ? cluster_->deliver(std::move(*message))
                                   : deliver_(std::move(*message))) {
        ++delivered_;
    }
    message.reset();
    free_slots_.push_back(slot);
}

void SimNetwork::send(raft::Message&& message) {
    ++sent_;
    // A message with an id outside the cluster goes nowhere; the delivery function says so.
    if (!in_range(message)) {
        loop_.after(sample_delay(), [this, slot = park(std::move(message))]() {
            deliver_parked(slot, false);
        });
        return;
    }
    const std::size_t from = message.from.value - 1;
    const std::size_t to = message.to.value - 1;
    // Draw the loss and duplication whether or not a cut applies, so that a cut does not
    // shift the draws of every later message. Prng::chance(r) is unit() < r after checking r;
    // these ratios were checked once (constructor), and the call with its checks cost more
    // than the draw (two per message).
    const bool lost = loss_ratio_ > 0 && prng_.unit() < loss_ratio_;
    const bool twice = duplicate_ratio_ > 0 && prng_.unit() < duplicate_ratio_;
    if (lost || blocked(from, to)) {
        ++dropped_;
        return;
    }
    const int copies = twice ? 2 : 1;
    if (twice) ++duplicated_;
    for (int copy = 0; copy < copies; ++copy) {
        // The last copy takes the message itself.
        const std::uint32_t slot =
            copy + 1 < copies ? park(raft::Message(message)) : park(std::move(message));
        loop_.after(sample_link_delay(from, to),
                    [this, slot, from, to]() { arrive(slot, from, to); });
    }
}

void SimNetwork::arrive(std::uint32_t slot, std::size_t from, std::size_t to) {
    // A cut that began while the message was in flight drops it too.
    deliver_parked(slot, blocked(from, to));
}

Nanos SimNetwork::sample_delay() { return sample_latency(latency_, prng_); }

Nanos SimNetwork::sample_link_delay(std::size_t from, std::size_t to) {
    const std::optional<LatencyModel>& model = link_latency_[from * node_count_ + to];
    return sample_latency(model ? *model : latency_, prng_);
}

std::uint64_t SimNetwork::cut(const std::vector<Link>& links) {
    const std::uint64_t id = next_cut_id_++;
    for (const Link& link : links) {
        ASSERT_LT(link.first, node_count_);
        ASSERT_LT(link.second, node_count_);
        ASSERT_NE(link.first, link.second);
        ++blocking_[link.first * node_count_ + link.second];
    }
    cuts_.emplace(id, links);
    return id;
}

void SimNetwork::heal(std::uint64_t cut_id) {
    const auto it = cuts_.find(cut_id);
    if (it == cuts_.end()) return;
    for (const Link& link : it->second) {
        std::uint32_t& count = blocking_[link.first * node_count_ + link.second];
        ASSERT_GT(count, 0U);
        --count;
    }
    cuts_.erase(it);
}

void SimNetwork::heal_all() {
    cuts_.clear();
    std::fill(blocking_.begin(), blocking_.end(), 0U);
}

bool SimNetwork::blocked(std::size_t from, std::size_t to) const {
    return blocking_[from * node_count_ + to] > 0;
}

}  // namespace raftlink::sim
