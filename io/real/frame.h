// SPDX-License-Identifier: MIT
// Frames: how one Raft message travels on a peer connection.
//
//   u32 length    payload bytes, little-endian; 1 <= length <= the connection's bound
//   u32 crc       CRC32C of the payload (core/crc32c.h), little-endian
//   payload       raft::encode_message (core/raft/message_codec.h)
//
// The length comes first so that a reader can reject an oversized frame before allocating
// for it; the checksum catches corruption that TCP's 16-bit checksum lets through. Decoding
// never trusts its input: every failure is an Error naming the reason, never an assertion.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/raft/messages.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::real {

constexpr std::size_t frame_header_bytes = 8;

struct FrameHeader {
    std::uint32_t length = 0;
    std::uint32_t crc = 0;
};

/// The whole frame (header and payload) for `message`, or an Error if its payload would be
/// longer than `payload_bytes_max` (the receiver would refuse it).
Result<Bytes> encode_frame(const raft::Message& message, std::size_t payload_bytes_max);

/// Parses the 8 header bytes; an Error if the length is 0 or above `payload_bytes_max`.
Result<FrameHeader> decode_frame_header(const std::array<std::uint8_t, frame_header_bytes>& bytes,
                                        std::size_t payload_bytes_max);

/// Checks the payload against its header (length and CRC), then decodes the message.
Result<raft::Message> decode_frame_payload(const FrameHeader& header, ByteView payload);

/// Decodes exactly one frame held whole in `frame`: a short, oversized or corrupt frame, or
/// trailing bytes after it, is an Error.
Result<raft::Message> decode_frame(ByteView frame, std::size_t payload_bytes_max);

}  // namespace raftlink::real
