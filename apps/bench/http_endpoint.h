// SPDX-License-Identifier: MIT
// Where requests go: the host and port of a plain-HTTP URL such as http://127.0.0.1:8001.
// TLS is out of scope: raftlink nodes speak plain HTTP on loopback or a private network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftlink::bench {

struct HttpEndpoint {
    std::string host;
    std::uint16_t port = 80;

    /// "host:port", the Host header and how reports name the endpoint.
    std::string authority() const { return host + ":" + std::to_string(port); }
    /// "http://host:port".
    std::string url() const { return "http://" + authority(); }
};

/// Parses "http://HOST[:PORT][/]" (a trailing slash is allowed, a longer path is not: the
/// node serves its API at the root). Returns nullopt for anything else, e.g. "https://...".
std::optional<HttpEndpoint> parse_http_url(std::string_view url);

}  // namespace raftlink::bench
