// SPDX-License-Identifier: MIT
// The wire format of Raft messages: round trips, and garbage never crashes the decoder.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "core/prng.h"
#include "core/raft/message_codec.h"

namespace raftlink::raft {
namespace {

Message random_message(Prng& prng) {
    Message message{NodeId(prng.below(9)), NodeId(prng.below(9)), Term(prng.next_u64()), {}};
    switch (prng.below(5)) {
        case 0:
            message.body = RequestVote{LogIndex(prng.next_u64()), Term(prng.next_u64()),
                                       prng.chance(0.5), prng.chance(0.5)};
            break;
        case 1: message.body = RequestVoteReply{prng.chance(0.5), prng.chance(0.5)}; break;
        case 2: {
            AppendEntries append{LogIndex(prng.next_u64()), Term(prng.next_u64()), {},
                                 LogIndex(prng.next_u64()), prng.next_u64()};
            const std::uint64_t count = prng.below(5);
            for (std::uint64_t i = 0; i < count; ++i) {
                Bytes data(prng.below(40));
                for (auto& byte : data) byte = static_cast<std::uint8_t>(prng.below(256));
                append.entries.push_back(Entry{Term(prng.below(9)), LogIndex(i + 1), data});
            }
            append.commit_notice = count == 0 && prng.chance(0.5);
            message.body = std::move(append);
            break;
        }
        case 3:
            message.body = AppendEntriesReply{prng.chance(0.5), LogIndex(prng.next_u64()),
                                              LogIndex(prng.next_u64()), Term(prng.next_u64()),
                                              prng.next_u64()};
            break;
        default: message.body = TimeoutNow{}; break;
    }
    return message;
}

bool same(const Message& a, const Message& b) {
    const auto* append_a = std::get_if<AppendEntries>(&a.body);
    const auto* append_b = std::get_if<AppendEntries>(&b.body);
    if (append_a != nullptr && append_b != nullptr &&
        append_a->commit_notice != append_b->commit_notice) {
        return false;
    }
    return encode_message(a) == encode_message(b) && a.from == b.from && a.to == b.to &&
           a.term == b.term && a.body.index() == b.body.index();
}

/// A commit notice from node 1 to node 2, encoded.
Bytes encoded_commit_notice() {
    AppendEntries notice{LogIndex(3), Term(1), {}, LogIndex(3), 0};
    notice.commit_notice = true;
    return encode_message(Message{NodeId(1), NodeId(2), Term(1), notice});
}

TEST_SUITE("raft") {
    TEST_CASE("message codec: every message round-trips") {
        Prng prng(0xc0dec);
        for (int i = 0; i < 5000; ++i) {
            const Message message = random_message(prng);
            const auto decoded = decode_message(encode_message(message));
            REQUIRE(decoded.ok());
            CHECK(same(message, decoded.value()));
        }
    }

    TEST_CASE("message codec: truncated, extended or corrupted bytes are errors, never crashes") {
        Prng prng(0xbad);
        for (int i = 0; i < 300; ++i) {
            const Bytes bytes = encode_message(random_message(prng));
            for (std::size_t length = 0; length < bytes.size(); ++length) {
                CHECK_FALSE(decode_message(ByteView(bytes.data(), length)).ok());
            }
            Bytes longer = bytes;
            longer.push_back(0);
            CHECK_FALSE(decode_message(longer).ok());
            Bytes flipped = bytes;
            flipped[prng.below(flipped.size())] ^= static_cast<std::uint8_t>(1 + prng.below(255));
            (void)decode_message(flipped);  // may decode to another valid message; must not crash
        }
    }

    TEST_CASE("message codec: a commit notice keeps its flag; unknown flags and versions are "
              "refused") {
        const Bytes bytes = encoded_commit_notice();
        const auto decoded = decode_message(bytes);
        REQUIRE(decoded.ok());
        CHECK(std::get<AppendEntries>(decoded.value().body).commit_notice);
        // The flags byte follows the header (1 + 1 + 3 x 8 bytes) and four u64 fields.
        constexpr std::size_t flags_at = 2 + 3 * 8 + 4 * 8;
        REQUIRE_EQ(bytes[flags_at], 1);
        Bytes unknown_flag = bytes;
        unknown_flag[flags_at] = 3;
        CHECK_FALSE(decode_message(unknown_flag).ok());
        // A version 1 node's frame (no flags byte) is refused, not misread.
        Bytes version_1 = bytes;
        version_1[0] = 1;
        const auto refused = decode_message(version_1);
        REQUIRE_FALSE(refused.ok());
        CHECK_NE(refused.error().message.find("version 1"), std::string::npos);
    }

    TEST_CASE("message codec: an entry count or size over the bounds is refused") {
        AppendEntries append{LogIndex(0), Term(0), {}, LogIndex(0), 0};
        append.entries.resize(message_entries_max + 1);
        for (std::size_t i = 0; i < append.entries.size(); ++i) {
            append.entries[i].index = LogIndex(i + 1);
        }
        CHECK_FALSE(decode_message(encode_message(Message{NodeId(1), NodeId(2), Term(1), append}))
                        .ok());
        AppendEntries large{LogIndex(0), Term(0), {Entry{Term(1), LogIndex(1),
                                                         Bytes(entry_bytes_max + 1)}},
                            LogIndex(0), 0};
        CHECK_FALSE(decode_message(encode_message(Message{NodeId(1), NodeId(2), Term(1), large}))
                        .ok());
    }
}

}  // namespace
}  // namespace raftlink::raft
