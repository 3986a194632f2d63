// SPDX-License-Identifier: MIT
// Helpers for driving raft::Node by hand in unit tests: building configs, persistent states and
// messages, running the Ready loop to quiescence, and a tiny in-memory cluster that delivers
// messages (with an optional drop filter). Header-only; everything is deterministic.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "core/raft/messages.h"
#include "core/raft/node.h"
#include "core/raft/ready.h"
#include "core/types.h"

namespace raftlink::raft::test_support {

/// A config with the given id and voters; times are the defaults (election 150..300 ms,
/// heartbeat 50 ms).
inline Config make_config(std::uint64_t id, std::initializer_list<std::uint64_t> voters,
                          std::uint64_t seed = 1) {
    Config config;
    config.id = NodeId(id);
    for (const std::uint64_t voter : voters) config.voters.push_back(NodeId(voter));
    config.seed = seed;
    // Classic Raft (the paper's Figure 2) unless a test turns the thesis extensions on.
    config.pre_vote = false;
    config.check_quorum = false;
    return config;
}

/// Entries 1..n with the given terms; each carries one byte of data (its index) so that none
/// of them is a no-op.
inline std::vector<Entry> entries_with_terms(std::initializer_list<std::uint64_t> terms) {
    std::vector<Entry> entries;
    std::uint64_t index = 0;
    for (const std::uint64_t term : terms) {
        ++index;
        entries.push_back(Entry{Term(term), LogIndex(index), Bytes{static_cast<std::uint8_t>(index)}});
    }
    return entries;
}

/// One entry with a byte of data (a client command, not a no-op).
inline Entry entry(std::uint64_t term, std::uint64_t index, std::uint8_t data = 0xAB) {
    return Entry{Term(term), LogIndex(index), Bytes{data}};
}

/// What storage would return: the hard state and a log with the given terms.
inline PersistentState state_with(std::uint64_t term, std::uint64_t voted_for,
                                  std::initializer_list<std::uint64_t> log_terms) {
    return PersistentState{HardState{Term(term), NodeId(voted_for)}, entries_with_terms(log_terms)};
}

/// Constructs a node and calls start(). Its election timer is armed by the first on_time.
inline Node make_node(std::uint64_t id, std::initializer_list<std::uint64_t> voters,
                      PersistentState state = {}, std::uint64_t seed = 1) {
    Node node(make_config(id, voters, seed), std::move(state));
    node.start();
    return node;
}

// ---------------------------------------------------------------------------------------------
// Messages.

inline Message vote_request(std::uint64_t from, std::uint64_t to, std::uint64_t term,
                            std::uint64_t last_log_index, std::uint64_t last_log_term) {
    return Message{NodeId(from), NodeId(to), Term(term),
                   RequestVote{LogIndex(last_log_index), Term(last_log_term)}};
}

inline Message vote_reply(std::uint64_t from, std::uint64_t to, std::uint64_t term, bool granted) {
    return Message{NodeId(from), NodeId(to), Term(term), RequestVoteReply{granted}};
}

inline Message append(std::uint64_t from, std::uint64_t to, std::uint64_t term,
                      std::uint64_t prev_log_index, std::uint64_t prev_log_term,
                      std::vector<Entry> entries, std::uint64_t leader_commit) {
    return Message{NodeId(from), NodeId(to), Term(term),
                   AppendEntries{LogIndex(prev_log_index), Term(prev_log_term), std::move(entries),
                                 LogIndex(leader_commit), 0}};
}

inline Message append_reply(std::uint64_t from, std::uint64_t to, std::uint64_t term, bool success,
                            std::uint64_t match_index, std::uint64_t retry_index = 0,
                            std::uint64_t conflict_term = 0) {
    return Message{NodeId(from), NodeId(to), Term(term),
                   AppendEntriesReply{success, LogIndex(match_index), LogIndex(retry_index),
                                      Term(conflict_term), 0}};
}

/// A copy of the body of `message` as `Body`; fails the test if it has another type.
template <typename Body>
Body body_as(const Message& message) {
    REQUIRE_MESSAGE(std::holds_alternative<Body>(message.body),
                    "message body is ", message_type_name(message.body));
    return std::get<Body>(message.body);
}

/// The messages whose body is a `Body`, in order.
template <typename Body>
std::vector<Message> of_type(const std::vector<Message>& messages) {
    std::vector<Message> out;
    for (const Message& message : messages) {
        if (std::holds_alternative<Body>(message.body)) out.push_back(message);
    }
    return out;
}

/// The single message of `messages`; fails the test unless there is exactly one.
inline Message only(const std::vector<Message>& messages) {
    REQUIRE_EQ(messages.size(), 1U);
    return messages.front();
}

/// The messages addressed to `to`, in order.
inline std::vector<Message> addressed_to(const std::vector<Message>& messages, std::uint64_t to) {
    std::vector<Message> out;
    for (const Message& message : messages) {
        if (message.to == NodeId(to)) out.push_back(message);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The Ready loop.

/// Everything a node handed out while it was drained.
struct Drained {
    std::size_t ready_count = 0;
    std::vector<Message> messages;       // Ready::messages, in order
    std::vector<Entry> persisted;        // Ready::entries, in order
    std::vector<Entry> committed;        // Ready::committed_entries, in order
    std::optional<HardState> hard_state;  // the latest Ready::hard_state
    std::vector<ReadState> reads;        // Ready::reads, in order

    /// Every message sent (those that waited for a write come out once it is durable).
    std::vector<Message> all() const { return messages; }
};

/// Takes Readies and advances them (as if sent and applied, and their writes durable at once)
/// until the node has nothing more to hand out.
inline Drained drain(Node& node, Nanos now) {
    Drained drained;
    while (node.has_ready()) {
        REQUIRE_MESSAGE(drained.ready_count < 1000, "the Ready loop does not quiesce");
        const Ready ready = node.ready();
        ++drained.ready_count;
        drained.messages.insert(drained.messages.end(), ready.messages.begin(),
                                ready.messages.end());
        drained.persisted.insert(drained.persisted.end(), ready.entries.begin(),
                                 ready.entries.end());
        drained.committed.insert(drained.committed.end(), ready.committed_entries.begin(),
                                 ready.committed_entries.end());
        if (ready.hard_state) drained.hard_state = ready.hard_state;
        drained.reads.insert(drained.reads.end(), ready.reads.begin(), ready.reads.end());
        node.advance(ready, now);
        if (ready.needs_persist()) node.on_persisted(ready.write_id, now);
    }
    (void)node.take_trace();
    return drained;
}

/// Arms the election timer at `now` (a no-op if already armed) and fires it at its deadline.
/// Returns the time at which it fired. The node is then a candidate (or leader if alone).
inline Nanos expire_election(Node& node, Nanos now) {
    node.on_time(now);
    const Nanos deadline = node.next_deadline();
    REQUIRE(deadline != no_deadline);
    node.on_time(deadline);
    return deadline;
}

/// Makes `node` leader: fires its election timer, persists the candidacy (drain), then feeds
/// granted votes from its peers (lowest ids first) until it wins. Does not drain afterwards,
/// so the leader's first Ready (the no-op and its AppendEntries) is still pending.
inline Nanos elect(Node& node, Nanos now) {
    const Nanos at = expire_election(node, now);
    (void)drain(node, at);
    for (const NodeId peer : node.config().voters) {
        if (node.role() == Role::Leader) break;
        if (peer == node.id()) continue;
        node.step(Message{peer, node.id(), node.current_term(), RequestVoteReply{true}}, at);
    }
    REQUIRE(node.role() == Role::Leader);
    return at;
}

/// For a leader just elected at `at`: sends its first Ready (the no-op), has every peer
/// acknowledge the no-op at `at + 1`, and returns what the leader hands out then. The no-op
/// (index 1) is then committed.
inline Drained commit_noop(Node& node, Nanos at) {
    (void)drain(node, at);
    for (const NodeId peer : node.config().voters) {
        if (peer == node.id()) continue;
        node.step(append_reply(peer.value, node.id().value, node.current_term().value, true, 1),
                  at + 1);
    }
    Drained drained = drain(node, at + 1);
    REQUIRE_EQ(node.commit_index(), LogIndex(1));
    return drained;
}

// ---------------------------------------------------------------------------------------------
// A tiny cluster: nodes plus a network that delivers every message, in order, unless a filter
// drops it. Nodes persist instantly (drain). Time moves only when a test moves it.

class Cluster {
public:
    using DropFilter = std::function<bool(const Message&)>;

    /// `thesis` turns on Pre-Vote and CheckQuorum (thesis §9.6, §6.2).
    explicit Cluster(std::initializer_list<std::uint64_t> ids, std::uint64_t seed = 1,
                     bool thesis = false) {
        for (const std::uint64_t id : ids) {
            Config config;
            config.id = NodeId(id);
            for (const std::uint64_t voter : ids) config.voters.push_back(NodeId(voter));
            config.seed = seed;
            config.pre_vote = thesis;
            config.check_quorum = thesis;
            nodes_.emplace(NodeId(id), Node(std::move(config), PersistentState{}));
        }
        for (auto& slot : nodes_) slot.second.start();
    }

    Node& node(std::uint64_t id) { return nodes_.at(NodeId(id)); }
    Nanos now() const { return now_; }
    void set_now(Nanos now) { now_ = now; }
    /// Messages dropped by the filter so far.
    const std::vector<Message>& dropped() const { return dropped_; }

    /// Drains every node and delivers messages until none are left, dropping those for which
    /// `drop` returns true.
    void stabilize(const DropFilter& drop = nullptr) {
        for (int round = 0; round < 1000; ++round) {
            std::vector<Message> in_flight;
            for (auto& slot : nodes_) {
                const Drained drained = drain(slot.second, now_);
                const std::vector<Message> sent = drained.all();
                in_flight.insert(in_flight.end(), sent.begin(), sent.end());
            }
            if (in_flight.empty()) return;
            for (const Message& message : in_flight) {
                if (drop && drop(message)) {
                    dropped_.push_back(message);
                    continue;
                }
                nodes_.at(message.to).step(message, now_);
            }
        }
        FAIL("the cluster does not stabilize");
    }

    /// Makes node `id` leader: arms every node's timer, fires only `id`'s, and delivers.
    void elect(std::uint64_t id) {
        for (auto& slot : nodes_) slot.second.on_time(now_);
        now_ = node(id).next_deadline();
        node(id).on_time(now_);
        stabilize();
        REQUIRE(node(id).role() == Role::Leader);
    }

private:
    std::map<NodeId, Node> nodes_;
    std::vector<Message> dropped_;
    Nanos now_ = 0;
};

}  // namespace raftlink::raft::test_support
