// SPDX-License-Identifier: MIT
#include "apps/bench/http_endpoint.h"

#include <charconv>

namespace raftlink::bench {

std::optional<HttpEndpoint> parse_http_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
    url.remove_prefix(scheme.size());
    if (!url.empty() && url.back() == '/') url.remove_suffix(1);
    if (url.empty() || url.find('/') != std::string_view::npos) return std::nullopt;
    HttpEndpoint endpoint;
    // A bracketed IPv6 literal keeps its colons: [::1]:8001.
    const std::size_t bracket = url.rfind(']');
    const std::size_t colon = url.rfind(':');
    if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
        endpoint.host = std::string(url);
        return endpoint.host.empty() ? std::nullopt : std::optional(endpoint);
    }
    endpoint.host = std::string(url.substr(0, colon));
    const std::string_view port = url.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
        return std::nullopt;
    }
    if (endpoint.host.empty()) return std::nullopt;
    endpoint.port = static_cast<std::uint16_t>(value);
    return endpoint;
}

}  // namespace raftlink::bench
