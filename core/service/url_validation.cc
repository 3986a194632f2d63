// SPDX-License-Identifier: MIT
#include "core/service/url_validation.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

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

/// Whether `word` holds a byte <= 0x20 or equal to 0x7f (bit-twiddling's hasless(x, 0x21)
/// and haszero(x ^ 0x7f..7f)): exact for the word as a whole, since a borrow only starts at
/// a byte that matches.
bool has_space_or_control(std::uint64_t word) {
    constexpr std::uint64_t ones = 0x0101'0101'0101'0101;
    constexpr std::uint64_t highs = 0x8080'8080'8080'8080;
    const std::uint64_t below_0x21 = (word - ones * 0x21) & ~word & highs;
    const std::uint64_t deletes = word ^ (ones * 0x7f);
    const std::uint64_t is_0x7f = (deletes - ones) & ~deletes & highs;
    return (below_0x21 | is_0x7f) != 0;
}

bool is_space_or_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
}

/// Eight bytes at a time, the last eight read whole (overlapping the word before): every
/// create is validated, and a byte at a time took 5 instructions per byte of URL.
bool contains_space_or_control(std::string_view url) {
    if (url.size() < 8) return std::any_of(url.begin(), url.end(), is_space_or_control);
    std::uint64_t word = 0;
    for (std::size_t at = 0; at + 8 < url.size(); at += 8) {
        std::memcpy(&word, url.data() + at, 8);
        if (has_space_or_control(word)) return true;
    }
    std::memcpy(&word, url.data() + url.size() - 8, 8);
    return has_space_or_control(word);
}

}  // namespace

std::optional<std::string> validate_url(std::string_view url) {
    if (url.empty()) return "the URL is empty";
    if (url.size() > fsm::url_bytes_max) {
        return concat("the URL is ", url.size(), " bytes long; the limit is ", fsm::url_bytes_max);
    }
    if (contains_space_or_control(url)) {
        return "the URL contains whitespace or control characters";
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
