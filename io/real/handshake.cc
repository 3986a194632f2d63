// SPDX-License-Identifier: MIT
#include "io/real/handshake.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>

#include "core/text.h"

namespace raftlink::real {
namespace {

constexpr std::array<std::uint8_t, 4> magic = {'R', 'L', 'N', 'K'};

void put_u32(std::uint8_t* out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) *out++ = static_cast<std::uint8_t>(value >> shift);
}
void put_u64(std::uint8_t* out, std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) *out++ = static_cast<std::uint8_t>(value >> shift);
}
std::uint32_t get_u32(const std::uint8_t* in) {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 32; shift += 8) value |= static_cast<std::uint32_t>(*in++) << shift;
    return value;
}
std::uint64_t get_u64(const std::uint8_t* in) {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 8) value |= static_cast<std::uint64_t>(*in++) << shift;
    return value;
}

/// Writes magic and version to `out`; both handshake messages start with them.
void put_preamble(std::uint8_t* out) {
    std::copy(magic.begin(), magic.end(), out);
    put_u32(out + magic.size(), handshake_version);
}

bool preamble_matches(const std::uint8_t* in) {
    return std::equal(magic.begin(), magic.end(), in) &&
           get_u32(in + magic.size()) == handshake_version;
}

}  // namespace

std::optional<Challenge> make_challenge() {
    Challenge challenge{};
    if (RAND_bytes(challenge.data(), static_cast<int>(challenge.size())) != 1) {
        return std::nullopt;
    }
    return challenge;
}

Mac handshake_mac(std::string_view secret, const Challenge& challenge, NodeId node) {
    std::array<std::uint8_t, challenge_bytes + 8> data{};
    std::copy(challenge.begin(), challenge.end(), data.begin());
    put_u64(data.data() + challenge_bytes, node.value);
    Mac mac{};
    unsigned int mac_length = 0;
    // One-shot HMAC() is not deprecated in OpenSSL 3 (HMAC_CTX is). It fails only on
    // allocation failure; then the MAC stays all zeros and simply does not verify.
    const unsigned char* result =
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), data.data(),
             data.size(), mac.data(), &mac_length);
    if (result == nullptr || mac_length != mac_bytes) mac.fill(0);
    return mac;
}

HelloBytes encode_hello(std::string_view secret, const Challenge& challenge, NodeId node) {
    HelloBytes bytes{};
    put_preamble(bytes.data());
    put_u64(bytes.data() + 8, node.value);
    const Mac mac = handshake_mac(secret, challenge, node);
    std::copy(mac.begin(), mac.end(), bytes.begin() + 16);
    return bytes;
}

Result<Hello> decode_hello(const HelloBytes& bytes) {
    if (!preamble_matches(bytes.data())) {
        return make_error(ErrorCode::Malformed, "bad handshake magic or version");
    }
    Hello hello{NodeId(get_u64(bytes.data() + 8)), {}};
    std::copy_n(bytes.begin() + 16, mac_bytes, hello.mac.begin());
    return hello;
}

bool verify_hello(std::string_view secret, const Challenge& challenge, const Hello& hello) {
    const Mac expected = handshake_mac(secret, challenge, hello.node);
    return CRYPTO_memcmp(expected.data(), hello.mac.data(), mac_bytes) == 0;
}

WelcomeBytes encode_welcome(NodeId acceptor) {
    WelcomeBytes bytes{};
    put_preamble(bytes.data());
    put_u64(bytes.data() + 8, acceptor.value);
    return bytes;
}

Result<NodeId> decode_welcome(const WelcomeBytes& bytes) {
    if (!preamble_matches(bytes.data())) {
        return make_error(ErrorCode::Malformed, "bad handshake magic or version");
    }
    return NodeId(get_u64(bytes.data() + 8));
}

}  // namespace raftlink::real
