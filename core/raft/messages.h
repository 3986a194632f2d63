// SPDX-License-Identifier: MIT
// Raft's messages (Figure 2 of the paper) as plain values, and their trace wording.
//
// A message is addressed (from, to), carries the sender's current term, and one body. The
// transport may drop, delay, duplicate and reorder messages; nothing here assumes otherwise.
// The `describe_*` functions produce the seed document's wording, e.g.
// "(Term:1 LeaderId:1 PrevLogIndex:0 PrevLogTerm:0 Entries:[] CommitIndex:0)".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/types.h"

namespace raftlink::raft {

/// One log entry. An empty `data` is the leader's no-op (§8), not a client command.
struct Entry {
    Term term;
    LogIndex index;
    Bytes data;

    bool operator==(const Entry&) const = default;
};

/// RequestVote RPC arguments (§5.2, §5.4.1). With `pre_vote` it is the Pre-Vote of the Raft
/// thesis §9.6: the message carries the term the sender would campaign in, and no receiver
/// changes its own term or vote because of it.
struct RequestVote {
    LogIndex last_log_index;
    Term last_log_term;
    bool pre_vote = false;
    /// Sent because the leader handed over leadership (TimeoutNow): receivers ignore the
    /// leader lease for it (thesis §3.10).
    bool leadership_transfer = false;
};

struct RequestVoteReply {
    bool vote_granted = false;
    bool pre_vote = false;
};

/// AppendEntries RPC arguments (§5.3). With no entries it is a heartbeat.
struct AppendEntries {
    LogIndex prev_log_index;
    Term prev_log_term;
    std::vector<Entry> entries;
    LogIndex leader_commit;
    /// The leader's latest ReadIndex round (thesis §6.4); the reply echoes it, so a quorum of
    /// replies confirms that the sender was still leader when the round began. 0: none.
    std::uint64_t read_round = 0;
    /// A commit notice: an empty append sent the moment the leader's commit index passes
    /// entries the follower holds, so that its reads see them soon (Node::maybe_commit). The
    /// follower answers it only with a rejection: its success reply would tell the leader
    /// nothing new, and it doubled the messages of every commit. Heartbeats and ReadIndex
    /// rounds are always answered (CheckQuorum, read confirmation and the pause of silent
    /// followers count those replies).
    bool commit_notice = false;
};

struct AppendEntriesReply {
    bool success = false;
    /// On success: the index of the last entry known to match the leader's log (§5.3).
    LogIndex match_index;
    /// On failure, the conflict hint (§5.3, the "optimization" paragraph) that lets the leader
    /// repair a follower in one round trip: when the follower's log is too short, retry_index
    /// is its last index + 1 and conflict_term is 0; otherwise conflict_term is the term of
    /// the follower's entry at prev_log_index and retry_index the first index of that term.
    LogIndex retry_index;
    Term conflict_term;
    /// Echo of AppendEntries::read_round.
    std::uint64_t read_round = 0;
};

/// Leadership transfer (thesis §3.10): the leader tells an up-to-date follower to start an
/// election at once, without waiting for its election timeout or asking for pre-votes.
struct TimeoutNow {};

using MessageBody =
    std::variant<RequestVote, RequestVoteReply, AppendEntries, AppendEntriesReply, TimeoutNow>;

/// Every body but an AppendEntries is trivially copyable and destructible, and Message moves
/// and destroys its body itself on that ground: the variant's move and destructor are visits
/// that GCC keeps out of line, a call each (about 73,000 moves and 105,000 destructions in
/// speed-5 seed 1: each message is moved into the network, parked, delivered and left
/// moved-from). The body is a union member so that its destructor runs only when needed.
struct Message {
    NodeId from;
    NodeId to;
    Term term;
    union {
        MessageBody body;
    };

    Message() : body() {}
    template <typename Body = MessageBody>
    Message(NodeId sender, NodeId receiver, Term sender_term, Body&& message_body)
        : from(sender), to(receiver), term(sender_term), body(std::forward<Body>(message_body)) {}
    Message(const Message& other)
        : from(other.from), to(other.to), term(other.term), body(other.body) {}
    Message(Message&& other) noexcept : from(other.from), to(other.to), term(other.term) {
        construct_body(std::move(other.body));
    }
    Message& operator=(const Message& other) {
        from = other.from;
        to = other.to;
        term = other.term;
        body = other.body;
        return *this;
    }
    Message& operator=(Message&& other) noexcept {
        if (this != &other) {
            from = other.from;
            to = other.to;
            term = other.term;
            destroy_body();
            construct_body(std::move(other.body));
        }
        return *this;
    }
    ~Message() { destroy_body(); }

private:
    static constexpr std::size_t append_index = 2;
    static_assert(std::variant_size_v<MessageBody> == 5 &&
                  std::is_same_v<std::variant_alternative_t<append_index, MessageBody>,
                                 AppendEntries>);
    static_assert(std::is_trivially_copyable_v<RequestVote> &&
                  std::is_trivially_copyable_v<RequestVoteReply> &&
                  std::is_trivially_copyable_v<AppendEntriesReply> &&
                  std::is_trivially_copyable_v<TimeoutNow>);

    template <std::size_t Index>
    void construct_body_as(const MessageBody& other) {
        std::construct_at(&body, std::in_place_index<Index>, *std::get_if<Index>(&other));
    }
    /// Builds `body` (not alive) from `other`, leaving `other` as the variant's move does.
    void construct_body(MessageBody&& other) {
        switch (other.index()) {
            case append_index:
                std::construct_at(&body, std::in_place_index<append_index>,
                                  std::move(*std::get_if<append_index>(&other)));
                return;
            case 0: construct_body_as<0>(other); return;
            case 1: construct_body_as<1>(other); return;
            case 3: construct_body_as<3>(other); return;
            default: construct_body_as<4>(other); return;
        }
    }
    /// Ends `body`'s life: only an AppendEntries that holds a buffer has anything to free.
    /// Most are empty, left so by a move (into the network, or the node keeping the entries).
    void destroy_body() {
        const auto* append = std::get_if<append_index>(&body);
        if (append != nullptr && append->entries.capacity() != 0) std::destroy_at(&body);
    }
};

/// The body's type name, as the trace names RPCs ("RequestVote", "AppendEntries", ...).
const char* message_type_name(const MessageBody& body);

std::string describe_append_entries(const Message& message, const AppendEntries& body);
std::string describe_vote_reply(const Message& message, const RequestVoteReply& body);
std::string describe_append_reply(const Message& message, const AppendEntriesReply& body);

}  // namespace raftlink::raft
