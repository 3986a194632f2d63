// SPDX-License-Identifier: MIT
#include "core/service/url_validation.h"

#include <algorithm>

#include "core/fsm/commands.h"
#include "core/text.h"

namespace raftlink::service {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

}  // namespace

std::optional<std::string> validate_url(std::string_view url) {
    if (url.empty()) return "the URL is empty";
    if (url.size() > fsm::url_bytes_max) {
        return concat("the URL is ", url.size(), " bytes long; the limit is ", fsm::url_bytes_max);
    }
    for (const char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) return "the URL contains whitespace or control characters";
    }
    // "http" once, then what follows it: every create is validated.
    std::size_t scheme_length = 0;
    if (starts_with_ignoring_case(url, "http")) {
        if (starts_with_ignoring_case(url.substr(4), "://")) {
            scheme_length = 7;
        } else if (starts_with_ignoring_case(url.substr(4), "s://")) {
            scheme_length = 8;
        }
    }
    if (scheme_length == 0) return "the URL must be absolute and start with http:// or https://";
    const std::string_view rest = url.substr(scheme_length);
    // A plain loop rather than find_first_of("/?#"), which searches the set for every byte
    // (every create is validated).
    const auto host_end = std::find_if(rest.begin(), rest.end(),
                                       [](char c) { return c == '/' || c == '?' || c == '#'; });
    const std::string_view authority(rest.data(),
                                     static_cast<std::size_t>(host_end - rest.begin()));
    if (authority.empty() || authority.front() == ':' || authority.front() == '@') {
        return "the URL has no host";
    }
    return std::nullopt;
}

}  // namespace raftlink::service
