// SPDX-License-Identifier: MIT
// The peer handshake: a dialer proves that it knows the cluster secret before any frame.
//
//   acceptor -> dialer   challenge: 32 random bytes (OpenSSL RAND_bytes), fresh per connection
//   dialer -> acceptor   hello, 48 bytes: "RLNK", u32 version, u64 node id,
//                        HMAC-SHA256(secret, challenge || u64 node id)
//   acceptor -> dialer   welcome, 16 bytes: "RLNK", u32 version, u64 acceptor's node id
// Integers are little-endian. A fresh challenge per connection means a recorded hello cannot
// be replayed. The acceptor closes without a welcome when the magic, version, id or MAC is
// wrong, so a dialer knows it is connected only after the welcome. The welcome names the
// acceptor so that a dialer notices a misconfigured address; it is not authenticated (the
// dialer's frames carry nothing secret, and the acceptor's side is the one that must not be
// fooled). Comparisons of MACs are constant-time (CRYPTO_memcmp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace raftlink::real {

constexpr std::size_t challenge_bytes = 32;
constexpr std::size_t mac_bytes = 32;
constexpr std::size_t hello_bytes = 4 + 4 + 8 + mac_bytes;
constexpr std::size_t welcome_bytes = 4 + 4 + 8;
constexpr std::uint32_t handshake_version = 1;

using Challenge = std::array<std::uint8_t, challenge_bytes>;
using Mac = std::array<std::uint8_t, mac_bytes>;
using HelloBytes = std::array<std::uint8_t, hello_bytes>;
using WelcomeBytes = std::array<std::uint8_t, welcome_bytes>;

struct Hello {
    NodeId node;
    Mac mac{};
};

/// A fresh random challenge, or nothing if OpenSSL's generator failed (the caller refuses
/// the connection rather than use a predictable challenge).
std::optional<Challenge> make_challenge();

/// HMAC-SHA256(secret, challenge || u64 little-endian node id).
Mac handshake_mac(std::string_view secret, const Challenge& challenge, NodeId node);

/// The dialer's answer to `challenge`.
HelloBytes encode_hello(std::string_view secret, const Challenge& challenge, NodeId node);

/// Parses a hello; an Error if the magic or version is wrong. Does not check the MAC.
Result<Hello> decode_hello(const HelloBytes& bytes);

/// True if `hello` carries the right MAC for `challenge`; constant-time in the MAC bytes.
bool verify_hello(std::string_view secret, const Challenge& challenge, const Hello& hello);

WelcomeBytes encode_welcome(NodeId acceptor);
/// The acceptor's id; an Error if the magic or version is wrong.
Result<NodeId> decode_welcome(const WelcomeBytes& bytes);

}  // namespace raftlink::real
