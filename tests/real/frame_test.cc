// SPDX-License-Identifier: MIT
// Peer frames (io/real/frame.h): round trips, and every malformed frame is an Error.
#include <doctest/doctest.h>

#include "core/crc32c.h"
#include "core/raft/message_codec.h"
#include "io/real/asio_transport.h"
#include "io/real/frame.h"
#include "io/real/frame_encoder.h"

namespace raftlink::real {
namespace {

raft::Message append_entries() {
    raft::AppendEntries body{LogIndex(4), Term(2), {}, LogIndex(3), 9};
    body.entries.push_back(raft::Entry{Term(2), LogIndex(5), Bytes{'h', 't', 't', 'p'}});
    body.entries.push_back(raft::Entry{Term(3), LogIndex(6), Bytes{}});
    return raft::Message{NodeId(1), NodeId(2), Term(3), std::move(body)};
}

std::vector<raft::Message> sample_messages() {
    return {
        append_entries(),
        raft::Message{NodeId(2), NodeId(1), Term(7),
                      raft::RequestVote{LogIndex(10), Term(6), true, false}},
        raft::Message{NodeId(3), NodeId(1), Term(7), raft::RequestVoteReply{true, false}},
        raft::Message{NodeId(1), NodeId(3), Term(8),
                      raft::AppendEntriesReply{false, LogIndex(0), LogIndex(4), Term(2), 1}},
        raft::Message{NodeId(1), NodeId(2), Term(8), raft::TimeoutNow{}},
    };
}

Bytes frame_of(const raft::Message& message) {
    Result<Bytes> frame = encode_frame(message, frame_bytes_max);
    REQUIRE(frame.ok());
    return frame.value();
}

void put_u32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) {
        bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

std::string error_of(const Bytes& frame, std::size_t bytes_max = frame_bytes_max) {
    const Result<raft::Message> decoded = decode_frame(frame, bytes_max);
    REQUIRE_FALSE(decoded.ok());
    return decoded.error().message;
}

TEST_SUITE("real") {
    TEST_CASE("frame: every message type round-trips through a frame") {
        for (const raft::Message& message : sample_messages()) {
            const Bytes frame = frame_of(message);
            const Bytes payload = raft::encode_message(message);
            REQUIRE(frame.size() == frame_header_bytes + payload.size());
            // The header is u32 length then u32 CRC32C, both little-endian.
            CHECK(frame[0] == static_cast<std::uint8_t>(payload.size()));
            const std::uint32_t crc = crc32c(payload);
            CHECK(frame[4] == static_cast<std::uint8_t>(crc));
            CHECK(frame[7] == static_cast<std::uint8_t>(crc >> 24));

            const Result<raft::Message> decoded = decode_frame(frame, frame_bytes_max);
            REQUIRE(decoded.ok());
            CHECK(raft::encode_message(decoded.value()) == payload);
            CHECK(decoded.value().from == message.from);
            CHECK(decoded.value().to == message.to);
        }
    }

    TEST_CASE("frame: a message bigger than the bound is not framed") {
        const raft::Message message = append_entries();
        const std::size_t payload_bytes = raft::encode_message(message).size();
        CHECK(encode_frame(message, payload_bytes).ok());
        const Result<Bytes> refused = encode_frame(message, payload_bytes - 1);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == ErrorCode::OutOfRange);
    }

    TEST_CASE("frame: an oversized or empty length prefix is refused before the payload") {
        Bytes frame = frame_of(append_entries());
        put_u32(frame, 0, 0xFFFFFFFFU);
        CHECK(error_of(frame).find("exceeds") != std::string::npos);

        std::array<std::uint8_t, frame_header_bytes> header{};
        header[0] = 0x01;
        header[2] = 0x80;  // 8 MiB + 1
        CHECK_FALSE(decode_frame_header(header, frame_bytes_max).ok());
        header.fill(0);
        CHECK_FALSE(decode_frame_header(header, frame_bytes_max).ok());

        // The bound is the caller's: the same frame passes with a larger one.
        const Bytes good = frame_of(append_entries());
        CHECK_FALSE(decode_frame(good, good.size() - frame_header_bytes - 1).ok());
        CHECK(decode_frame(good, good.size() - frame_header_bytes).ok());
    }

    TEST_CASE("frame: short frames and trailing bytes are errors") {
        const Bytes frame = frame_of(append_entries());
        for (std::size_t length = 0; length < frame.size(); ++length) {
            const Bytes prefix(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(length));
            CHECK(error_of(prefix).find("short frame") != std::string::npos);
        }
        Bytes longer = frame;
        longer.push_back(0);
        CHECK(error_of(longer).find("after the frame") != std::string::npos);
    }

    TEST_CASE("frame: any flipped bit is caught by the checksum") {
        const Bytes frame = frame_of(append_entries());
        for (std::size_t byte = frame_header_bytes; byte < frame.size(); ++byte) {
            for (int bit = 0; bit < 8; ++bit) {
                Bytes corrupt = frame;
                corrupt[byte] = static_cast<std::uint8_t>(corrupt[byte] ^ (1U << bit));
                CHECK(error_of(corrupt) == "frame checksum mismatch");
            }
        }
        Bytes bad_crc = frame;
        bad_crc[5] ^= 0x10;
        CHECK(error_of(bad_crc) == "frame checksum mismatch");
    }

    TEST_CASE("frame: a well-checksummed payload that does not decode is an error") {
        const Bytes garbage = {0xFF, 0x01, 0x02, 0x03};
        Bytes frame(frame_header_bytes);
        put_u32(frame, 0, static_cast<std::uint32_t>(garbage.size()));
        put_u32(frame, 4, crc32c(garbage));
        frame.insert(frame.end(), garbage.begin(), garbage.end());
        CHECK(error_of(frame).find("undecodable message") != std::string::npos);
    }

    TEST_CASE("frame: the payload must match its header's length") {
        const Bytes payload = raft::encode_message(append_entries());
        const FrameHeader header{static_cast<std::uint32_t>(payload.size() + 1), crc32c(payload)};
        CHECK_FALSE(decode_frame_payload(header, payload).ok());
    }
    TEST_CASE("frame encoder: an AppendEntries to the next follower reuses the encoding, byte "
              "for byte what encode_frame writes") {
        FrameEncoder encoder;
        const auto encoded = [&](const raft::Message& message) {
            Result<Bytes> frame = encoder.encode(message, frame_bytes_max);
            REQUIRE(frame.ok());
            return frame.value();
        };
        raft::Message to_two = append_entries();
        raft::Message to_three = to_two;
        to_three.to = NodeId(3);
        CHECK(encoded(to_two) == frame_of(to_two));
        CHECK(encoded(to_three) == frame_of(to_three));
        CHECK(encoder.reused() == 1);
        CHECK(decode_frame(encoded(to_three), frame_bytes_max).value().to == NodeId(3));
        CHECK(encoder.reused() == 2);

        // Anything else that differs is encoded afresh: the commit index, the entries, the
        // term, another message type.
        raft::Message committed = to_three;
        std::get<raft::AppendEntries>(committed.body).leader_commit = LogIndex(5);
        CHECK(encoded(committed) == frame_of(committed));
        raft::Message longer = to_two;
        std::get<raft::AppendEntries>(longer.body).entries.push_back(
            raft::Entry{Term(3), LogIndex(7), Bytes{'x'}});
        CHECK(encoded(longer) == frame_of(longer));
        raft::Message later = longer;
        later.term = Term(4);
        CHECK(encoded(later) == frame_of(later));
        CHECK(encoder.reused() == 2);
        for (const raft::Message& message : sample_messages()) {
            CHECK(encoded(message) == frame_of(message));
        }
        // A heartbeat (no entries) is never cached.
        raft::Message heartbeat = to_two;
        std::get<raft::AppendEntries>(heartbeat.body).entries.clear();
        CHECK(encoded(heartbeat) == frame_of(heartbeat));
        CHECK(encoded(heartbeat) == frame_of(heartbeat));
        CHECK(encoder.reused() == 2);
    }
}

}  // namespace
}  // namespace raftlink::real
