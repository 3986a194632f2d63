// SPDX-License-Identifier: MIT
// Raft's messages (Figure 2 of the paper) as plain values, and their trace wording.
//
// A message is addressed (from, to), carries the sender's current term, and one body. The
// transport may drop, delay, duplicate and reorder messages; nothing here assumes otherwise.
// The `describe_*` functions produce the seed document's wording, e.g.
// "(Term:1 LeaderId:1 PrevLogIndex:0 PrevLogTerm:0 Entries:[] CommitIndex:0)".
#pragma once

#include <string>
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

/// RequestVote RPC arguments (§5.2, §5.4.1).
struct RequestVote {
    LogIndex last_log_index;
    Term last_log_term;
};

struct RequestVoteReply {
    bool vote_granted = false;
};

/// AppendEntries RPC arguments (§5.3). With no entries it is a heartbeat.
struct AppendEntries {
    LogIndex prev_log_index;
    Term prev_log_term;
    std::vector<Entry> entries;
    LogIndex leader_commit;
};

struct AppendEntriesReply {
    bool success = false;
    /// On success: the index of the last entry known to match the leader's log (§5.3).
    LogIndex match_index;
    /// On failure: where the leader should retry, the follower's last index + 1 when its log is
    /// too short, else the conflicting prev_log_index (§5.3, "optimization" paragraph).
    LogIndex retry_index;
};

using MessageBody = std::variant<RequestVote, RequestVoteReply, AppendEntries, AppendEntriesReply>;

struct Message {
    NodeId from;
    NodeId to;
    Term term;
    MessageBody body;
};

/// The body's type name, as the trace names RPCs ("RequestVote", "AppendEntries", ...).
const char* message_type_name(const MessageBody& body);

/// True for requests (the sender logs "Sending X to node N"); replies are not logged.
bool is_request(const MessageBody& body);

std::string describe_append_entries(const Message& message, const AppendEntries& body);
std::string describe_vote_reply(const Message& message, const RequestVoteReply& body);
std::string describe_append_reply(const Message& message, const AppendEntriesReply& body);

}  // namespace raftlink::raft
