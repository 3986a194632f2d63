// SPDX-License-Identifier: MIT
#include "io/real/frame_encoder.h"

#include <variant>

#include "core/assert.h"
#include "core/crc32c.h"
#include "io/real/frame.h"

namespace raftlink::real {
namespace {

// Where the recipient sits in a frame: after the frame header, the payload starts with the
// format version (u8), the message type (u8) and the sender (u64), then the recipient (u64,
// little-endian) -- core/raft/message_codec.cc. tests/real/frame_test.cc holds this layout to
// encode_frame's output.
constexpr std::size_t recipient_offset = frame_header_bytes + 1 + 1 + 8;
constexpr std::size_t checksum_offset = 4;

void put_u64(std::uint8_t* out, std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) *out++ = static_cast<std::uint8_t>(value >> shift);
}

void put_u32(std::uint8_t* out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) *out++ = static_cast<std::uint8_t>(value >> shift);
}

}  // namespace

std::optional<FrameEncoder::AppendKey> FrameEncoder::key_of(const raft::Message& message) {
    const auto* append = std::get_if<raft::AppendEntries>(&message.body);
    if (append == nullptr || append->entries.empty()) return std::nullopt;
    const raft::Entry& last = append->entries.back();
    return AppendKey{message.from,          message.term,        append->prev_log_index,
                     append->prev_log_term, append->entries.size(), last.index,
                     last.term,             append->leader_commit, append->read_round};
}

Result<Bytes> FrameEncoder::encode(const raft::Message& message, std::size_t payload_bytes_max) {
    std::optional<AppendKey> key = key_of(message);
    if (key && last_key_ && *key == *last_key_) {
        Bytes frame = last_frame_;
        ASSERT_GT(frame.size(), recipient_offset + 8);
        put_u64(frame.data() + recipient_offset, message.to.value);
        const ByteView payload(frame.data() + frame_header_bytes, frame.size() - frame_header_bytes);
        put_u32(frame.data() + checksum_offset, crc32c(payload));
        ++reused_;
        return frame;
    }
    Result<Bytes> frame = encode_frame(message, payload_bytes_max);
    if (key && frame.ok()) {
        last_key_ = key;
        last_frame_ = frame.value();
    } else {
        last_key_.reset();
    }
    return frame;
}

}  // namespace raftlink::real
