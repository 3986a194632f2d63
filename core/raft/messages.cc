// SPDX-License-Identifier: MIT
#include "core/raft/messages.h"

#include "core/text.h"

namespace raftlink::raft {
namespace {

// Entries as index/term pairs; long batches are abbreviated so that a trace line stays short.
std::string describe_entries(const std::vector<Entry>& entries) {
    constexpr std::size_t shown_max = 4;
    std::string text;
    for (std::size_t i = 0; i < entries.size() && i < shown_max; ++i) {
        if (i > 0) text += ' ';
        text += concat(entries[i].index, '/', entries[i].term);
    }
    if (entries.size() > shown_max) {
        text += concat(" .. ", entries.back().index, '/', entries.back().term, " (",
                       entries.size(), " entries)");
    }
    return text;
}

const char* boolean(bool value) { return value ? "true" : "false"; }

}  // namespace

const char* message_type_name(const MessageBody& body) {
    struct Visitor {
        const char* operator()(const RequestVote& body) const {
            return body.pre_vote ? "PreVote" : "RequestVote";
        }
        const char* operator()(const RequestVoteReply&) const { return "RequestVoteReply"; }
        const char* operator()(const AppendEntries&) const { return "AppendEntries"; }
        const char* operator()(const AppendEntriesReply&) const { return "AppendEntriesReply"; }
        const char* operator()(const TimeoutNow&) const { return "TimeoutNow"; }
    };
    return std::visit(Visitor{}, body);
}

std::string describe_append_entries(const Message& message, const AppendEntries& body) {
    return concat("(Term:", message.term, " LeaderId:", message.from,
                  " PrevLogIndex:", body.prev_log_index, " PrevLogTerm:", body.prev_log_term,
                  " Entries:[", describe_entries(body.entries), "] CommitIndex:",
                  body.leader_commit, ")");
}

std::string describe_vote_reply(const Message& message, const RequestVoteReply& body) {
    return concat("(Term:", message.term, " VoteGranted=", boolean(body.vote_granted), ")");
}

std::string describe_append_reply(const Message& message, const AppendEntriesReply& body) {
    return concat("(Term:", message.term, " Success=", boolean(body.success), ")");
}

}  // namespace raftlink::raft
