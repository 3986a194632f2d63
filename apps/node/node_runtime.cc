// SPDX-License-Identifier: MIT
#include "apps/node/node_runtime.h"

#include <spdlog/spdlog.h>

#include <csignal>

#include "core/assert.h"
#include "core/hash.h"
#include "core/text.h"

namespace raftlink::node {
namespace {

// How often shutdown checks whether the transfer finished.
constexpr auto transfer_poll = std::chrono::milliseconds(5);

std::uint64_t key_from_name(std::string_view name) { return fnv1a64(name); }

}  // namespace

NodeRuntime::NodeRuntime(NodeConfig config)
    : config_(std::move(config)), signals_(io_, SIGINT, SIGTERM), shutdown_timer_(io_), clock_(io_) {}

NodeRuntime::~NodeRuntime() = default;

ReplicaConfig NodeRuntime::replica_config() const {
    ReplicaConfig replica;
    replica.raft.id = config_.id;
    for (const Member& member : config_.members) replica.raft.voters.push_back(member.id);
    replica.raft.election_timeout_min = config_.election_timeout_min;
    replica.raft.election_timeout_max = config_.election_timeout_max;
    replica.raft.heartbeat_interval = config_.heartbeat_interval;
    // Election timeouts need randomness across nodes and restarts, not reproducibility.
    replica.raft.seed = static_cast<std::uint64_t>(clock_.wall_now_ms()) ^ (config_.id.value << 48);
    replica.code_key = key_from_name(config_.cluster_name);
    replica.commit_timeout = config_.commit_timeout;
    // Trace lines are logged at info or debug: below that level (bench runs nodes at warn)
    // formatting them for every create and AppendEntries would be thrown away.
    replica.raft.trace_enabled = real::trace_lines_shown();
    replica.raft.storage_writes_inflight_max = config_.storage_writes_inflight_max;
    replica.raft.entries_bytes_per_append_max = config_.entries_bytes_per_append_max;
    replica.raft.inflight_appends_max = config_.inflight_appends_max;
    // The replica's thread must never block in FileStorage::write (its queue is bounded).
    ASSERT_LT(replica.raft.storage_writes_inflight_max, real::storage_queue_max);
    return replica;
}

bool NodeRuntime::open() {
    auto storage = real::FileStorage::open(config_.data_dir, io_, metrics_);
    if (!storage) {
        spdlog::critical("cannot start: {}", storage.error().message);
        return false;
    }
    storage_ = std::move(storage.value());
    real::TransportConfig transport{config_.id, config_.self().raft, {}, config_.secret};
    for (const Member& member : config_.members) {
        if (member.id != config_.id) transport.peers.emplace(member.id, member.raft);
    }
    transport_ = std::make_unique<real::AsioTransport>(
        io_, transport, [this](const raft::Message& message) {
            if (replica_ && !shutting_down_) replica_->on_message(message);
        });
    replica_ = std::make_unique<Replica>(replica_config(), clock_, *transport_, *storage_,
                                         observer_);
    clock_.set_on_wake([this]() { replica_->on_time(); });
    replica_->trace(concat("Joining cluster with ", config_.members.size(), " nodes"));
    if (auto started = transport_->start(); !started) {
        spdlog::critical("cannot start: {}", started.error().message);
        return false;
    }
    replica_->trace(concat("RPC: listening on port ", config_.self().raft.port()));
    replica_->start();
    creates_ = std::make_unique<real::CreateBatcher>(io_, *replica_);
    real::HttpBackend backend{*replica_, metrics_, {}, creates_.get()};
    for (const Member& member : config_.members) {
        backend.http_urls.emplace(member.id, concat("http://", member.http));
    }
    real::HttpLimits limits;
    limits.header_timeout = std::chrono::milliseconds(config_.http_header_timeout / nanos_per_ms);
    http_ = std::make_unique<real::HttpServer>(io_, config_.self().http, std::move(backend), limits);
    if (auto started = http_->start(); !started) {
        spdlog::critical("cannot start: {}", started.error().message);
        return false;
    }
    replica_->trace(concat("Starting HTTP server on port ", config_.self().http.port()));
    return true;
}

int NodeRuntime::run() {
    if (!open()) return 1;
    signals_.async_wait([this](const boost::system::error_code& error, int signal_number) {
        if (!error) begin_shutdown(signal_number);
    });
    io_.run();
    spdlog::info("Stopped");
    return 0;
}

void NodeRuntime::begin_shutdown(int signal_number) {
    spdlog::info("Received signal {}; shutting down", signal_number);
    // Raft messages keep flowing until leadership is handed over; HTTP stops now.
    signals_.async_wait([this](const boost::system::error_code& error, int) {
        if (error) return;
        spdlog::warn("Second signal; stopping at once");
        finish_shutdown();
    });
    http_->stop();
    const NodeId target = replica_->transfer_leadership();
    if (target == no_node) {
        finish_shutdown();
        return;
    }
    spdlog::info("Handing leadership to node {} before stopping", target.value);
    await_transfer(clock_.now() + config_.election_timeout_max);
}

void NodeRuntime::await_transfer(Nanos deadline) {
    // Done when another node leads (we follow it) or the transfer was given up.
    const raft::Node& node = replica_->node();
    const bool handed_over = node.role() != raft::Role::Leader && node.leader_id() != no_node;
    if (handed_over || node.transfer_target() == no_node || clock_.now() >= deadline) {
        if (!handed_over) spdlog::warn("Leadership transfer did not complete; stopping anyway");
        finish_shutdown();
        return;
    }
    shutdown_timer_.expires_after(transfer_poll);
    shutdown_timer_.async_wait([this, deadline](const boost::system::error_code& error) {
        if (!error) await_transfer(deadline);
    });
}

void NodeRuntime::finish_shutdown() {
    shutting_down_ = true;
    signals_.cancel();
    shutdown_timer_.cancel();
    clock_.cancel();
    if (http_) http_->stop();
    if (transport_) transport_->stop();
    if (storage_) storage_->flush();
    io_.stop();
}

}  // namespace raftlink::node
