// SPDX-License-Identifier: MIT
#include "io/real/frame.h"

#include <algorithm>
#include <utility>

#include "core/crc32c.h"
#include "core/raft/message_codec.h"
#include "core/text.h"

namespace raftlink::real {
namespace {

void put_u32(std::uint8_t* out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
        *out++ = static_cast<std::uint8_t>(value >> shift);
    }
}

std::uint32_t get_u32(const std::uint8_t* in) {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 32; shift += 8) {
        value |= static_cast<std::uint32_t>(*in++) << shift;
    }
    return value;
}

}  // namespace

Result<Bytes> encode_frame(const raft::Message& message, std::size_t payload_bytes_max) {
    const Bytes payload = raft::encode_message(message);
    if (payload.size() > payload_bytes_max) {
        return make_error(ErrorCode::OutOfRange,
                          concat("message of ", payload.size(),
                                 " bytes exceeds the frame bound of ", payload_bytes_max,
                                 " bytes"));
    }
    ASSERT(!payload.empty());
    Bytes frame(frame_header_bytes + payload.size());
    put_u32(frame.data(), static_cast<std::uint32_t>(payload.size()));
    put_u32(frame.data() + 4, crc32c(payload));
    std::copy(payload.begin(), payload.end(), frame.begin() + frame_header_bytes);
    return frame;
}

Result<FrameHeader> decode_frame_header(const std::array<std::uint8_t, frame_header_bytes>& bytes,
                                        std::size_t payload_bytes_max) {
    FrameHeader header{get_u32(bytes.data()), get_u32(bytes.data() + 4)};
    if (header.length == 0) {
        return make_error(ErrorCode::Malformed, "empty frame");
    }
    if (header.length > payload_bytes_max) {
        return make_error(ErrorCode::OutOfRange,
                          concat("frame length ", header.length, " exceeds the bound of ",
                                 payload_bytes_max, " bytes"));
    }
    return header;
}

Result<raft::Message> decode_frame_payload(const FrameHeader& header, ByteView payload) {
    if (payload.size() != header.length) {
        return make_error(ErrorCode::Malformed, concat("frame payload of ", payload.size(),
                                                       " bytes, header says ", header.length));
    }
    const std::uint32_t crc = crc32c(payload);
    if (crc != header.crc) {
        return make_error(ErrorCode::Corrupt, "frame checksum mismatch");
    }
    Result<raft::Message> message = raft::decode_message(payload);
    if (!message.ok()) {
        return make_error(message.error().code,
                          concat("undecodable message: ", message.error().message));
    }
    return message;
}

Result<raft::Message> decode_frame(ByteView frame, std::size_t payload_bytes_max) {
    if (frame.size() < frame_header_bytes) {
        return make_error(ErrorCode::Malformed,
                          concat("short frame: ", frame.size(), " bytes, no whole header"));
    }
    std::array<std::uint8_t, frame_header_bytes> header_bytes{};
    std::copy_n(frame.begin(), frame_header_bytes, header_bytes.begin());
    Result<FrameHeader> header = decode_frame_header(header_bytes, payload_bytes_max);
    if (!header.ok()) return header.error();
    const ByteView payload = frame.subspan(frame_header_bytes);
    if (payload.size() < header.value().length) {
        return make_error(ErrorCode::Malformed,
                          concat("short frame: ", payload.size(), " of ",
                                 header.value().length, " payload bytes"));
    }
    if (payload.size() > header.value().length) {
        return make_error(ErrorCode::Malformed,
                          concat(payload.size() - header.value().length,
                                 " bytes after the frame"));
    }
    return decode_frame_payload(header.value(), payload);
}

}  // namespace raftlink::real
