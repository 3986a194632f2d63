// SPDX-License-Identifier: MIT
#include "core/replica.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/fsm/commands.h"
#include "core/service/url_validation.h"
#include "core/text.h"

namespace raftlink {
namespace {

// Storage is loaded before the node exists, so the trace line comes from a helper.
raft::PersistentState load_logged(Storage& storage, Observer& observer, NodeId id) {
    observer.on_trace(id, raft::TraceLine{raft::TraceLane::Main, 0, "Initializing URLStore"});
    raft::PersistentState state = storage.load();
    observer.on_trace(id, raft::TraceLine{raft::TraceLane::Main, 0, "Initializing Raft node"});
    return state;
}

bool is_empty_append(const raft::Message& message) {
    const auto* append = std::get_if<raft::AppendEntries>(&message.body);
    return append != nullptr && append->entries.empty();
}

}  // namespace

Replica::Replica(ReplicaConfig config, Clock& clock, Transport& transport, Storage& storage,
                 Observer& observer, raft::SpareBuffers* shared_spares)
    : config_(std::move(config)),
      clock_(clock),
      transport_(transport),
      storage_(storage),
      observer_(observer),
      store_(config_.code_key),
      node_(config_.raft, load_logged(storage, observer, config_.raft.id), shared_spares) {
    // The whole log is applied again; in a busy cluster nearly every entry is a keyed create.
    store_.reserve_keys(node_.log().last_index().value);
}

void Replica::start() {
    ASSERT(!started_);
    started_ = true;
    trace("Starting consensus module");
    node_.start();
    forward_trace();
    // The election timer starts on the first wake-up, after the environment has started its
    // services (the seed logs "Starting HTTP server" between the two).
    wake_requested_ = clock_.now();
    clock_.wake_at(wake_requested_);
}

void Replica::on_time() {
    if (!started_) return;
    const Nanos now = clock_.now();
    wake_requested_ = raft::no_deadline;
    node_.on_time(now);
    pending_.expire(now);
    reads_.expire(now);
    pump();
}

void Replica::on_message(const raft::Message& message) {
    if (!started_) return;
    node_.step(message, clock_.now());
    pump();
}

void Replica::on_message(raft::Message&& message) {
    if (!started_) return;
    node_.step(std::move(message), clock_.now());
    pump();
}

std::optional<service::ShortenResponse> Replica::refusal(const service::ShortenRequest& request,
                                                         std::size_t batched) const {
    // Built only for a refusal (nearly every create is accepted), in its place in the result.
    const auto refuse = [](service::ShortenStatus status, std::string message,
                           NodeId leader_id = no_node) {
        return std::optional<service::ShortenResponse>(std::in_place, status, fsm::UrlRecord{},
                                                       false, leader_id, std::move(message));
    };
    if (auto problem = service::validate_url(request.url)) {
        return refuse(service::ShortenStatus::Invalid, std::move(*problem));
    }
    if (request.idempotency_key.size() > fsm::idempotency_key_bytes_max) {
        return refuse(service::ShortenStatus::Invalid,
                      concat("the idempotency key is longer than ",
                             fsm::idempotency_key_bytes_max, " bytes"));
    }
    if (!started_ || node_.role() != raft::Role::Leader) {
        const NodeId leader = node_.leader_id();
        return leader == no_node
                   ? refuse(service::ShortenStatus::NoLeader, "No leader known", leader)
                   : refuse(service::ShortenStatus::NotLeader, "Not a leader node", leader);
    }
    if (pending_.size() + batched >= service::pending_creates_max) {
        return refuse(service::ShortenStatus::NoLeader,
                      "too many creates waiting for commit; retry later");
    }
    return std::nullopt;
}

void Replica::shorten(const service::ShortenRequest& request, service::ShortenDone done) {
    // A batch of one, without a vector to hold it.
    shorten_calls(
        1, [&request](std::size_t) -> const service::ShortenRequest& { return request; },
        [&done](std::size_t) -> service::ShortenDone& { return done; });
}

void Replica::shorten(std::vector<ShortenCall> calls) {
    shorten_calls(
        calls.size(),
        [&calls](std::size_t i) -> const service::ShortenRequest& { return calls[i].request; },
        [&calls](std::size_t i) -> service::ShortenDone& { return calls[i].done; });
}

template <typename RequestAt, typename DoneAt>
void Replica::shorten_calls(std::size_t count, RequestAt request_at, DoneAt done_at) {
    // Refusals are answered only after the valid creates are registered, so that a callback
    // that re-enters the replica finds it consistent. They are listed by call number (rare);
    // every other call is accepted, in order.
    std::vector<std::pair<std::size_t, service::ShortenResponse>> refused;
    std::vector<Bytes> commands;
    for (std::size_t i = 0; i < count; ++i) {
        const service::ShortenRequest& request = request_at(i);
        std::optional<service::ShortenResponse> refuse = refusal(request, commands.size());
        if (refuse) {
            if (count == 1) {
                // A batch of one (a follower refuses half of all creates): with no valid
                // create to register first, it is answered at once, without the lists.
                done_at(i)(*refuse);
                return;
            }
            refused.emplace_back(i, std::move(*refuse));
            continue;
        }
        if (commands.empty()) commands.reserve(count - i);
        // Encoded from the request's own strings: nothing is copied but into the payload.
        commands.push_back(fsm::encode_command(fsm::CommandView(fsm::CreateUrlView{
            request.url, request.idempotency_key, clock_.wall_now_ms()})));
    }
    if (!commands.empty()) {
        const Nanos now = clock_.now();
        const raft::ProposeResult proposed = node_.propose(std::move(commands), now);
        ASSERT(proposed.accepted);
        std::size_t next_refused = 0;
        LogIndex index = proposed.index;
        for (std::size_t i = 0; i < count; ++i) {
            if (next_refused < refused.size() && refused[next_refused].first == i) {
                ++next_refused;
                continue;
            }
            pending_.add(index, proposed.term, now + config_.commit_timeout,
                         std::move(done_at(i)));
            index = index + 1;
        }
        pump();
    }
    for (auto& [i, response] : refused) done_at(i)(response);
}

service::ResolveResponse Replica::resolve(std::string_view code) const {
    // The URL is built in its place in the answer: assigned to the empty string of an answer
    // built first, it went through std::string's replace, about 90 instructions more per read.
    if (const auto url = store_.url_for(code)) {
        return service::ResolveResponse{.status = service::ResolveStatus::Found,
                                        .url = std::string(*url),
                                        .leader_id = no_node};
    }
    return service::ResolveResponse{};
}

void Replica::resolve(std::string code, service::ReadConsistency consistency,
                      service::ResolveDone done) {
    if (consistency == service::ReadConsistency::Stale) {
        done(resolve(code));
        return;
    }
    const std::uint64_t id = next_read_id_;
    const Nanos now = clock_.now();
    const raft::ReadIndexResult started =
        started_ ? node_.read_index(id, now) : raft::ReadIndexResult{false, no_node};
    if (!started.accepted) {
        service::ResolveResponse response;
        response.leader_id = started.leader_hint == config_.raft.id ? no_node : started.leader_hint;
        response.status = response.leader_id == no_node ? service::ResolveStatus::NoLeader
                                                         : service::ResolveStatus::NotLeader;
        done(response);
        return;
    }
    ++next_read_id_;
    reads_.add(id, std::move(code), now + config_.commit_timeout, std::move(done));
    pump();
}

void Replica::fail_reads_if_deposed() {
    if (!reads_.has_unconfirmed() || node_.role() == raft::Role::Leader) return;
    service::ResolveResponse response;
    response.leader_id = node_.leader_id();
    response.status = response.leader_id == no_node ? service::ResolveStatus::NoLeader
                                                     : service::ResolveStatus::NotLeader;
    reads_.fail_unconfirmed(response);
}

NodeId Replica::transfer_leadership() {
    if (!started_ || node_.role() != raft::Role::Leader) return no_node;
    NodeId best = no_node;
    LogIndex best_match;
    for (const auto& [peer, progress] : node_.progress()) {
        if (best == no_node || progress.match_index > best_match) {
            best = peer;
            best_match = progress.match_index;
        }
    }
    if (best == no_node || !node_.transfer_leadership(best, clock_.now())) return no_node;
    pump();
    return best;
}

ReplicaStatus Replica::status() const {
    ReplicaStatus status;
    status.id = node_.id();
    status.role = node_.role();
    status.term = node_.current_term();
    status.leader = node_.leader_id();
    status.commit_index = node_.commit_index();
    status.applied_index = store_.applied_index();
    status.last_index = node_.log().last_index();
    status.urls = store_.size();
    status.pending_creates = pending_.size();
    status.pending_reads = reads_.size();
    status.storage_writes_outstanding = node_.storage_writes_outstanding();
    status.counters = node_.counters();
    for (const auto& [peer, progress] : node_.progress()) {
        status.peers.push_back(PeerStatus{peer, progress.match_index, progress.next_index,
                                          progress.inflight.size()});
    }
    return status;
}

void Replica::trace(std::string text) {
    observer_.on_trace(node_.id(), raft::TraceLine{raft::TraceLane::Main, 0, std::move(text)});
}

void Replica::pump() {
    forward_trace();
    fail_reads_if_deposed();
    while (node_.has_ready()) {
        raft::Ready ready = node_.ready();
        // Entries and replies leave first: followers start their writes, and a leader its
        // commit, as early as possible. Empty AppendEntries (heartbeats, which also carry the
        // commit index) wait until the clients whose entries committed have been answered:
        // on loopback a send wakes the peer, which can take this thread's core meanwhile.
        // Each group keeps the node's order; messages are moved out as they are sent, and the
        // heartbeats are moved to the front to wait (a stable partition done in place, as the
        // others are sent: std::stable_partition allocated a buffer for most Readies).
        std::size_t heartbeats = 0;
        for (raft::Message& message : ready.messages) {
            if (!is_empty_append(message)) {
                transport_.send(std::move(message));
            } else {
                if (&message != &ready.messages[heartbeats]) {
                    ready.messages[heartbeats] = std::move(message);
                }
                ++heartbeats;
            }
        }
        if (ready.needs_persist()) {
            // Several writes may be outstanding; storage completes them in issue order, and
            // the node releases what waited for each one (etcd's async storage writes).
            const std::uint64_t write_id = ready.write_id;
            // NB: in the simulator a crash destroys this replica and drops the callback with
            // the disk's unsynced writes, so `this` is alive whenever it runs.
            storage_.write(WriteBatch{ready.hard_state, std::move(ready.entries)},
                           [this, write_id]() { on_durable(write_id); });
        }
        ready.committed_entries.for_each_view(
            [this](const raft::EntryView& entry) { apply(entry); });
        reads_.on_applied(store_);
        for (const raft::ReadState& read : ready.reads) reads_.on_confirmed(read.id, read.index, store_);
        for (std::size_t i = 0; i < heartbeats; ++i) transport_.send(std::move(ready.messages[i]));
        node_.advance(std::move(ready), clock_.now());
        forward_trace();
    }
    schedule_wake();
}

void Replica::on_durable(std::uint64_t write_id) {
    node_.on_persisted(write_id, clock_.now());
    pump();
}

void Replica::apply(const raft::EntryView& entry) {
    if (entry.data.empty()) {
        store_.apply_noop(entry.index);
        pending_.on_applied(entry.index, entry.term, store_, nullptr);
        return;
    }
    const auto command = fsm::decode_command_view(entry.data);
    // Only a leader writes entries, and it encodes them itself: a committed entry that does
    // not decode means memory or storage corruption got past the checksums.
    ASSERT(command.ok());
    const auto* create = std::get_if<fsm::CreateUrlView>(&command.value());
    ASSERT(create != nullptr);
    const fsm::Applied created = store_.apply_create(entry.index, *create);
    if (config_.raft.trace_enabled) {
        const fsm::UrlRecord record = store_.record(created.record_index);
        trace(concat("Applied log entry at index ", entry.index));
        trace(concat("FSM: Added new URL mapping: ", record.code, " -> ", record.url,
                     created.deduplicated ? " (idempotent retry)" : ""));
    }
    // Last: answering a client may propose, and the log's growth may move `entry.data`.
    pending_.on_applied(entry.index, entry.term, store_, &created);
}

void Replica::forward_trace_lines() {
    for (const raft::TraceLine& line : node_.take_trace()) observer_.on_trace(node_.id(), line);
}

void Replica::schedule_wake() {
    const Nanos deadline =
        std::min({node_.next_deadline(), pending_.next_deadline(), reads_.next_deadline()});
    if (deadline == raft::no_deadline || deadline >= wake_requested_) return;
    wake_requested_ = deadline;
    clock_.wake_at(deadline);
}

}  // namespace raftlink
