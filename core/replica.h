// SPDX-License-Identifier: MIT
// Replica: one server of the cluster, the same code in the simulator and in the real node.
//
// It binds raft::Node, the URL store and the service logic to the environment's Clock,
// Transport, Storage and Observer, and runs etcd's Ready loop with asynchronous storage
// writes: send, hand the write to storage, apply and answer clients, advance; when a write
// is durable, tell the node, which releases the votes and acknowledgements that waited for it.
// Several writes may be outstanding (storage completes them in order and may group them into
// one fsync), so a proposal leaves for the followers at once even while an fsync runs.
// Every method runs on the replica's one thread and returns without blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/fsm/url_store.h"
#include "core/raft/config.h"
#include "core/raft/node.h"
#include "core/service/pending_creates.h"
#include "core/service/pending_reads.h"
#include "core/service/requests.h"

namespace raftlink {

/// A follower as its leader sees it.
struct PeerStatus {
    NodeId id;
    LogIndex match_index;
    LogIndex next_index;
    std::size_t inflight = 0;
};

/// What /status and /metrics show: a copy, safe to hand to another thread.
struct ReplicaStatus {
    NodeId id;
    raft::Role role = raft::Role::Follower;
    Term term;
    NodeId leader;
    LogIndex commit_index;
    LogIndex applied_index;
    LogIndex last_index;
    std::size_t urls = 0;
    std::size_t pending_creates = 0;
    std::size_t pending_reads = 0;
    /// Storage writes handed out and not yet durable (the replication pipeline's depth).
    std::size_t storage_writes_outstanding = 0;
    raft::NodeCounters counters;
    std::vector<PeerStatus> peers;  // leader only
};

struct ReplicaConfig {
    raft::Config raft;
    /// Keys the short-code bijection; the same on every replica of a cluster.
    std::uint64_t code_key = 0;
    /// How long a create waits for its entry to commit before the client gets Timeout.
    Nanos commit_timeout = ms(5000);
};

class Replica {
public:
    /// Loads the persistent state from `storage` and builds the node and the store. Logs the
    /// seed's "Initializing URLStore" and "Initializing Raft node". `shared_spares`, if given,
    /// is the node's pool of spare entry buffers (see raft::Node's constructor).
    Replica(ReplicaConfig config, Clock& clock, Transport& transport, Storage& storage,
            Observer& observer, raft::SpareBuffers* shared_spares = nullptr);
    Replica(const Replica&) = delete;
    Replica& operator=(const Replica&) = delete;

    /// Starts the consensus module (the node becomes follower) and asks for a wake-up now.
    void start();
    /// The clock's wake-up fired.
    void on_time();
    /// A message from a peer arrived.
    void on_message(const raft::Message& message);
    /// The same, and the node keeps the message's buffers (see raft::Node::step(Message&&)).
    void on_message(raft::Message&& message);

    /// Creates a short URL; `done` is called exactly once (possibly before this returns).
    void shorten(const service::ShortenRequest& request, service::ShortenDone done);
    /// One create of a batch.
    struct ShortenCall {
        service::ShortenRequest request;
        service::ShortenDone done;
    };
    /// Creates several short URLs as shorten() does each, but proposes the valid ones together:
    /// one AppendEntries per follower and one storage write for all of them (the HTTP server
    /// gathers the creates that arrive in one turn of its event loop).
    void shorten(std::vector<ShortenCall> calls);
    /// A stale read from this replica's store (the seed's default consistency).
    service::ResolveResponse resolve(std::string_view code) const;
    /// A read with the given consistency; `done` is called exactly once (possibly before this
    /// returns). Linearizable reads are served by the leader only (ReadIndex, thesis §6.4).
    void resolve(std::string code, service::ReadConsistency consistency,
                 service::ResolveDone done);

    /// Hands leadership to the most up-to-date follower (for a clean shutdown). Returns the
    /// chosen follower, or no_node if this replica is not leader.
    NodeId transfer_leadership();
    ReplicaStatus status() const;

    /// Logs an environment line (transport, HTTP) into this replica's trace.
    void trace(std::string text);

    const raft::Node& node() const { return node_; }
    const fsm::UrlStore& store() const { return store_; }
    std::size_t pending_creates() const { return pending_.size(); }
    std::size_t pending_reads() const { return reads_.size(); }

private:
    /// Why `request` cannot be proposed here and now, with `batched` creates of its batch
    /// accepted before it, as the answer to give; nullopt if it can.
    std::optional<service::ShortenResponse> refusal(const service::ShortenRequest& request,
                                                    std::size_t batched) const;
    /// Both shorten()s, for `count` creates: request_at(i) and done_at(i) give the i-th one's
    /// request and callback, which stay owned by the caller until this returns.
    template <typename RequestAt, typename DoneAt>
    void shorten_calls(std::size_t count, RequestAt request_at, DoneAt done_at);
    void pump();
    void on_durable(std::uint64_t write_id);
    void apply(const raft::EntryView& entry);
    /// Hands the node's new trace lines to the observer. A node with tracing off produces
    /// none (raft::Config::trace_enabled), so then there is nothing to take: the check keeps
    /// an empty vector's exchange and destruction out of every turn of the Ready loop.
    void forward_trace() {
        if (config_.raft.trace_enabled) forward_trace_lines();
    }
    void forward_trace_lines();
    void fail_reads_if_deposed();
    void schedule_wake();

    ReplicaConfig config_;
    Clock& clock_;
    Transport& transport_;
    Storage& storage_;
    Observer& observer_;
    fsm::UrlStore store_;
    raft::Node node_;
    service::PendingCreates pending_;
    service::PendingReads reads_;
    std::uint64_t next_read_id_ = 1;
    bool started_ = false;
    Nanos wake_requested_ = raft::no_deadline;
};

}  // namespace raftlink
