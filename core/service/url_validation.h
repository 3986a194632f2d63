// SPDX-License-Identifier: MIT
// What the service accepts as a long URL: an absolute http or https URL with a host, no
// whitespace or control characters, at most fsm::url_bytes_max bytes. The seed stored any
// body, including empty ones and `javascript:` URLs; redirecting to those is a hazard.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace raftlink::service {

/// nullopt when `url` is acceptable, else a sentence saying what is wrong with it.
std::optional<std::string> validate_url(std::string_view url);

}  // namespace raftlink::service
