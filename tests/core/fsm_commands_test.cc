// SPDX-License-Identifier: MIT
// The command codec: round-trips over random commands, and every kind of bad payload is an
// Error value, never a crash.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>

#include "core/codec.h"
#include "core/fsm/commands.h"
#include "core/prng.h"

namespace raftlink::fsm {
namespace {

std::string random_text(Prng& prng, std::size_t length) {
    // Any byte, including NUL and non-UTF-8: the codec must not care what a URL contains.
    std::string text(length, '\0');
    for (char& c : text) c = static_cast<char>(prng.below(256));
    return text;
}

CreateUrl random_create(Prng& prng) {
    CreateUrl create;
    // Favour short fields, but reach the bounds now and then.
    const std::uint64_t url_length =
        prng.chance(0.1) ? url_bytes_max : prng.below(prng.chance(0.5) ? 64 : url_bytes_max + 1);
    const std::uint64_t key_length = prng.chance(0.1)
                                         ? idempotency_key_bytes_max
                                         : prng.below(idempotency_key_bytes_max + 1);
    create.url = random_text(prng, url_length);
    create.idempotency_key = random_text(prng, key_length);
    create.created_at_ms = static_cast<std::int64_t>(prng.next_u64());
    return create;
}

/// A payload written field by field, to build inputs the encoder refuses to produce.
Bytes handmade_payload(std::uint8_t version, std::uint8_t tag, std::string_view url,
                       std::string_view key, std::int64_t created_at_ms) {
    ByteWriter writer;
    writer.u8(version);
    writer.u8(tag);
    writer.string(url);
    writer.string(key);
    writer.i64(created_at_ms);
    return writer.take();
}

}  // namespace

TEST_SUITE("fsm") {

TEST_CASE("commands: random CreateUrl round-trips through the codec") {
    Prng prng = Prng::derive(1, "fsm_commands_test", 0);
    for (int i = 0; i < 2000; i++) {
        const Command command = random_create(prng);
        const Bytes payload = encode_command(command);
        const Result<Command> decoded = decode_command(payload);
        REQUIRE(decoded.ok());
        CHECK(decoded.value() == command);
        // The encoding is canonical: encoding the decoded command gives the same bytes.
        CHECK(encode_command(decoded.value()) == payload);
    }
}

TEST_CASE("commands: the view decoding sees the same fields, in the payload itself") {
    Prng prng = Prng::derive(3, "fsm_commands_test", 0);
    for (int i = 0; i < 200; i++) {
        const Command command = random_create(prng);
        const Bytes payload = encode_command(command);
        const Result<CommandView> decoded = decode_command_view(payload);
        REQUIRE(decoded.ok());
        const auto& view = std::get<CreateUrlView>(decoded.value());
        const auto& create = std::get<CreateUrl>(command);
        CHECK(view.url == create.url);
        CHECK(view.idempotency_key == create.idempotency_key);
        CHECK(view.created_at_ms == create.created_at_ms);
        const auto* begin = reinterpret_cast<const char*>(payload.data());
        CHECK(view.url.data() >= begin);
        CHECK(view.url.data() + view.url.size() <= begin + payload.size());
        // Truncations fail as decode_command() fails.
        const ByteView truncated = ByteView(payload).first(2 + static_cast<std::size_t>(i % 4));
        const Result<CommandView> cut = decode_command_view(truncated);
        REQUIRE_FALSE(cut.ok());
        CHECK(cut.error().message == decode_command(truncated).error().message);
    }
}

TEST_CASE("commands: fields at their bounds round-trip") {
    CreateUrl create;
    create.url = std::string(url_bytes_max, 'u');
    create.idempotency_key = std::string(idempotency_key_bytes_max, 'k');
    create.created_at_ms = INT64_MIN;
    const Result<Command> decoded = decode_command(encode_command(create));
    REQUIRE(decoded.ok());
    CHECK(std::get<CreateUrl>(decoded.value()) == create);

    const CreateUrl empty;
    const Result<Command> decoded_empty = decode_command(encode_command(empty));
    REQUIRE(decoded_empty.ok());
    CHECK(std::get<CreateUrl>(decoded_empty.value()) == empty);
}

TEST_CASE("commands: every truncation of a payload is Malformed") {
    Prng prng = Prng::derive(2, "fsm_commands_test", 0);
    for (int i = 0; i < 20; i++) {
        CreateUrl create = random_create(prng);
        create.url.resize(std::min<std::size_t>(create.url.size(), 100));
        const Bytes payload = encode_command(create);
        for (std::size_t length = 0; length < payload.size(); length++) {
            CAPTURE(length);
            const Result<Command> decoded = decode_command(ByteView(payload).first(length));
            REQUIRE_FALSE(decoded.ok());
            CHECK(decoded.error().code == ErrorCode::Malformed);
            CHECK_FALSE(decoded.error().message.empty());
        }
    }
}

TEST_CASE("commands: bad payloads are rejected with the right error") {
    const std::string url_too_long(url_bytes_max + 1, 'u');
    const std::string key_too_long(idempotency_key_bytes_max + 1, 'k');
    Bytes trailing = handmade_payload(1, 1, "http://a", "", 7);
    trailing.push_back(0);

    struct Case {
        const char* name;
        Bytes payload;
        ErrorCode code;
    };
    const Case cases[] = {
        {"empty payload (Raft's no-op is not a command)", {}, ErrorCode::Malformed},
        {"unknown version", handmade_payload(2, 1, "http://a", "", 7), ErrorCode::Malformed},
        {"version zero", handmade_payload(0, 1, "http://a", "", 7), ErrorCode::Malformed},
        {"unknown tag", handmade_payload(1, 2, "http://a", "", 7), ErrorCode::Malformed},
        {"tag zero", handmade_payload(1, 0, "http://a", "", 7), ErrorCode::Malformed},
        {"trailing byte", trailing, ErrorCode::Malformed},
        {"url too long", handmade_payload(1, 1, url_too_long, "", 7), ErrorCode::OutOfRange},
        {"key too long", handmade_payload(1, 1, "http://a", key_too_long, 7),
         ErrorCode::OutOfRange},
        {"length prefix past the end", Bytes{1, 1, 0xff, 0xff, 0xff, 0xff, 'h'},
         ErrorCode::Malformed},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const Result<Command> decoded = decode_command(c.payload);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error().code == c.code);
        CHECK_FALSE(decoded.error().message.empty());
    }
}

TEST_CASE("commands: random garbage never crashes and decodes only canonically") {
    Prng prng = Prng::derive(3, "fsm_commands_test", 0);
    const Bytes valid = encode_command(CreateUrl{"http://example.com/x", "key-1", 1234});
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        Bytes payload;
        if (prng.chance(0.5)) {
            payload.resize(prng.below(40));
            for (auto& byte : payload) byte = static_cast<std::uint8_t>(prng.below(256));
        } else {
            // Mutate a valid payload: flip up to three bytes.
            payload = valid;
            const std::uint64_t flips = 1 + prng.below(3);
            for (std::uint64_t f = 0; f < flips; f++) {
                payload[prng.below(payload.size())] ^=
                    static_cast<std::uint8_t>(1 + prng.below(255));
            }
        }
        const Result<Command> decoded = decode_command(payload);
        if (decoded.ok()) {
            accepted++;
            CHECK(encode_command(decoded.value()) == payload);
        }
    }
    // Flips inside the URL or the timestamp still decode; make sure that path ran.
    CHECK(accepted > 0);
}

}  // TEST_SUITE

}  // namespace raftlink::fsm
