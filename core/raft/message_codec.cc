// SPDX-License-Identifier: MIT
#include "core/raft/message_codec.h"

#include <optional>
#include <utility>

#include "core/codec.h"
#include "core/text.h"

namespace raftlink::raft {
namespace {

// Layout: u8 version, u8 type, u64 from, u64 to, u64 term, then the body:
//   RequestVote        u64 last_log_index, u64 last_log_term, u8 flags (1 pre_vote, 2 transfer)
//   RequestVoteReply   u8 flags (1 vote_granted, 2 pre_vote)
//   AppendEntries      u64 prev_log_index, u64 prev_log_term, u64 leader_commit,
//                      u64 read_round, u8 flags (1 commit_notice), u32 count,
//                      count x (u64 term, u64 index, bytes data)
//   AppendEntriesReply u8 success, u64 match_index, u64 retry_index, u64 conflict_term,
//                      u64 read_round
//   TimeoutNow         (nothing)
// Version 2 added AppendEntries' flags byte (commit notices); nodes of different versions
// refuse each other's frames rather than misread them.
constexpr std::uint8_t format_version = 2;

enum class Type : std::uint8_t {
    RequestVote = 1,
    RequestVoteReply = 2,
    AppendEntries = 3,
    AppendEntriesReply = 4,
    TimeoutNow = 5,
};

struct Encoder {
    ByteWriter& out;
    void operator()(const RequestVote& body) const {
        out.u8(static_cast<std::uint8_t>(Type::RequestVote));
        out.u64(body.last_log_index.value);
        out.u64(body.last_log_term.value);
        out.u8(static_cast<std::uint8_t>((body.pre_vote ? 1 : 0) |
                                         (body.leadership_transfer ? 2 : 0)));
    }
    void operator()(const RequestVoteReply& body) const {
        out.u8(static_cast<std::uint8_t>(Type::RequestVoteReply));
        out.u8(static_cast<std::uint8_t>((body.vote_granted ? 1 : 0) | (body.pre_vote ? 2 : 0)));
    }
    void operator()(const AppendEntries& body) const {
        out.u8(static_cast<std::uint8_t>(Type::AppendEntries));
        out.u64(body.prev_log_index.value);
        out.u64(body.prev_log_term.value);
        out.u64(body.leader_commit.value);
        out.u64(body.read_round);
        out.u8(body.commit_notice ? 1 : 0);
        out.u32(static_cast<std::uint32_t>(body.entries.size()));
        for (const Entry& entry : body.entries) {
            out.u64(entry.term.value);
            out.u64(entry.index.value);
            out.bytes(entry.data);
        }
    }
    void operator()(const AppendEntriesReply& body) const {
        out.u8(static_cast<std::uint8_t>(Type::AppendEntriesReply));
        out.u8(body.success ? 1 : 0);
        out.u64(body.match_index.value);
        out.u64(body.retry_index.value);
        out.u64(body.conflict_term.value);
        out.u64(body.read_round);
    }
    void operator()(const TimeoutNow&) const {
        out.u8(static_cast<std::uint8_t>(Type::TimeoutNow));
    }
};

// Decoders write into `out` rather than returning a Result<MessageBody>: moving the variant
// through a Result trips GCC 12's -Wmaybe-uninitialized in sanitizer builds.
std::optional<Error> decode_append_entries(ByteReader& in, MessageBody& out) {
    AppendEntries body;
    body.prev_log_index = LogIndex(in.u64());
    body.prev_log_term = Term(in.u64());
    body.leader_commit = LogIndex(in.u64());
    body.read_round = in.u64();
    const std::uint8_t flags = in.u8();
    if ((flags & ~1U) != 0) {
        return make_error(ErrorCode::Malformed,
                          concat("AppendEntries with unknown flags ", static_cast<unsigned>(flags)));
    }
    body.commit_notice = (flags & 1) != 0;
    const std::uint32_t count = in.u32();
    if (count > message_entries_max) {
        return make_error(ErrorCode::OutOfRange, concat("AppendEntries with ", count,
                                                        " entries (at most ",
                                                        message_entries_max, ")"));
    }
    body.entries.reserve(std::min<std::size_t>(count, in.remaining() / 20));
    for (std::uint32_t i = 0; i < count && in.ok(); ++i) {
        Entry entry;
        entry.term = Term(in.u64());
        entry.index = LogIndex(in.u64());
        entry.data = in.bytes(static_cast<std::uint32_t>(entry_bytes_max));
        body.entries.push_back(std::move(entry));
    }
    out = std::move(body);
    return std::nullopt;
}

std::optional<Error> decode_body(Type type, ByteReader& in, MessageBody& out) {
    switch (type) {
        case Type::RequestVote: {
            RequestVote body{LogIndex(in.u64()), Term(in.u64())};
            const std::uint8_t flags = in.u8();
            body.pre_vote = (flags & 1) != 0;
            body.leadership_transfer = (flags & 2) != 0;
            out = body;
            return std::nullopt;
        }
        case Type::RequestVoteReply: {
            const std::uint8_t flags = in.u8();
            out = RequestVoteReply{(flags & 1) != 0, (flags & 2) != 0};
            return std::nullopt;
        }
        case Type::AppendEntries: return decode_append_entries(in, out);
        case Type::AppendEntriesReply: {
            AppendEntriesReply body;
            body.success = in.u8() != 0;
            body.match_index = LogIndex(in.u64());
            body.retry_index = LogIndex(in.u64());
            body.conflict_term = Term(in.u64());
            body.read_round = in.u64();
            out = body;
            return std::nullopt;
        }
        case Type::TimeoutNow: out = TimeoutNow{}; return std::nullopt;
    }
    return make_error(ErrorCode::Malformed, "unknown message type");
}

}  // namespace

Bytes encode_message(const Message& message) {
    ByteWriter out;
    out.u8(format_version);
    // The type byte comes first in the body encoders; from/to/term follow it for all types.
    ByteWriter body;
    std::visit(Encoder{body}, message.body);
    const Bytes& encoded = body.buffer();
    out.u8(encoded.front());
    out.u64(message.from.value);
    out.u64(message.to.value);
    out.u64(message.term.value);
    Bytes bytes = out.take();
    bytes.insert(bytes.end(), encoded.begin() + 1, encoded.end());
    return bytes;
}

Result<Message> decode_message(ByteView bytes) {
    ByteReader in(bytes);
    const std::uint8_t version = in.u8();
    if (in.ok() && version != format_version) {
        return make_error(ErrorCode::Malformed, concat("unknown message format version ",
                                                       static_cast<unsigned>(version)));
    }
    const std::uint8_t type_byte = in.u8();
    Message message;
    message.from = NodeId(in.u64());
    message.to = NodeId(in.u64());
    message.term = Term(in.u64());
    if (!in.ok()) return make_error(ErrorCode::Malformed, "message truncated in its header");
    if (type_byte < 1 || type_byte > static_cast<std::uint8_t>(Type::TimeoutNow)) {
        return make_error(ErrorCode::Malformed, concat("unknown message type ",
                                                       static_cast<unsigned>(type_byte)));
    }
    if (auto error = decode_body(static_cast<Type>(type_byte), in, message.body)) return *error;
    if (!in.ok()) return make_error(ErrorCode::Malformed, "message truncated in its body");
    if (!in.at_end()) return make_error(ErrorCode::Malformed, "trailing bytes after the message");
    return message;
}

}  // namespace raftlink::raft
