// SPDX-License-Identifier: MIT
#include "core/fsm/commands.h"

#include <limits>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/codec.h"

namespace raftlink::fsm {
namespace {

// Payload layout (little-endian, codec.h):
//   u8 format version, u8 command tag, then the command's fields.
// The version covers the layout of every command; a new command only needs a new tag. Log
// entries outlive the binary that wrote them, so a replica must refuse a payload it cannot read
// rather than guess at it.
constexpr std::uint8_t command_format_version = 1;

enum class CommandTag : std::uint8_t {
    CreateUrl = 1,
};

/// The bytes encode_fields() writes.
std::size_t fields_size(const CreateUrlView& create) {
    return 1 + 4 + create.url.size() + 4 + create.idempotency_key.size() + 8;
}

void encode_fields(ByteWriter& writer, const CreateUrlView& create) {
    // The service validates requests against these bounds before proposing, so an oversized
    // field here is a programmer error, not bad input; decode checks the same bounds (a pair).
    ASSERT_LE(create.url.size(), url_bytes_max);
    ASSERT_LE(create.idempotency_key.size(), idempotency_key_bytes_max);
    writer.u8(static_cast<std::uint8_t>(CommandTag::CreateUrl));
    writer.string(create.url);
    writer.string(create.idempotency_key);
    writer.i64(create.created_at_ms);
}

Error truncated_in(const char* field) {
    return make_error(ErrorCode::Malformed, std::string("command truncated in ") + field);
}

Error too_long(const char* field) {
    return make_error(ErrorCode::OutOfRange, std::string("command ") + field + " too long");
}

/// Each length-prefixed string is a view into the payload: nothing is copied or allocated,
/// whatever the prefix claims, and the reader checks the remaining length first. A length
/// prefix that points past the end of the payload is Malformed (truncated); a complete field
/// that is too long is OutOfRange. Every replica decodes every entry it applies, so the
/// fields are checked in line rather than through a Result per field.
Result<CommandView> decode_create_url(ByteReader& reader) {
    constexpr std::uint32_t unbounded = std::numeric_limits<std::uint32_t>::max();
    CreateUrlView create;
    create.url = reader.string_view(unbounded);
    if (!reader.ok()) return truncated_in("url");
    if (create.url.size() > url_bytes_max) return too_long("url");

    create.idempotency_key = reader.string_view(unbounded);
    if (!reader.ok()) return truncated_in("idempotency key");
    if (create.idempotency_key.size() > idempotency_key_bytes_max) {
        return too_long("idempotency key");
    }

    create.created_at_ms = reader.i64();
    if (!reader.ok()) {
        return make_error(ErrorCode::Malformed, "command truncated in created_at_ms");
    }
    // Trailing bytes mean the writer and the reader disagree on the layout; accepting them
    // would let two encodings decode to the same command. Checked here, the last field's
    // decoder, rather than on the way out of decode_command_view, so that the result is built
    // in its caller's place: checked there, it was copied for every entry every replica applies.
    if (!reader.at_end()) return make_error(ErrorCode::Malformed, "command has trailing bytes");
    return CommandView(create);
}

/// Dispatches on the tag; a tag this binary does not know is an error, never skipped, because
/// skipping an entry would make this replica's state diverge from the others'.
Result<CommandView> decode_fields(std::uint8_t tag, ByteReader& reader) {
    switch (tag) {
        case static_cast<std::uint8_t>(CommandTag::CreateUrl):
            return decode_create_url(reader);
        default:
            return make_error(ErrorCode::Malformed, "unknown command tag");
    }
}

}  // namespace

Bytes encode_command(const Command& command) { return encode_command(view_of(command)); }

Bytes encode_command(const CommandView& command) {
    ByteWriter writer;
    // The exact size, so that the payload is allocated once rather than grown byte by byte.
    const std::size_t size =
        1 + std::visit([](const auto& alternative) { return fields_size(alternative); }, command);
    writer.reserve(size);
    writer.u8(command_format_version);
    std::visit([&writer](const auto& alternative) { encode_fields(writer, alternative); },
               command);
    ASSERT_EQ(writer.buffer().size(), size);
    return writer.take();
}

Result<Command> decode_command(ByteView payload) {
    const Result<CommandView> view = decode_command_view(payload);
    if (!view) return view.error();
    return std::visit(
        [](const CreateUrlView& create) {
            return Command(CreateUrl{std::string(create.url), std::string(create.idempotency_key),
                                     create.created_at_ms});
        },
        view.value());
}

CommandView view_of(const Command& command) {
    return std::visit(
        [](const CreateUrl& create) {
            return CommandView(
                CreateUrlView{create.url, create.idempotency_key, create.created_at_ms});
        },
        command);
}

Result<CommandView> decode_command_view(ByteView payload) {
    // NB: an empty payload is Raft's no-op (§8), which the caller handles before decoding; here
    // it is simply too short to be a command.
    ByteReader reader(payload);
    const std::uint8_t version = reader.u8();
    const std::uint8_t tag = reader.u8();
    if (!reader.ok()) return make_error(ErrorCode::Malformed, "command too short");
    if (version != command_format_version) {
        return make_error(ErrorCode::Malformed, "unknown command format version");
    }

    return decode_fields(tag, reader);
}

}  // namespace raftlink::fsm
