// SPDX-License-Identifier: MIT
#include "core/service/requests.h"

#include "core/assert.h"

namespace raftlink::service {

const char* shorten_status_name(ShortenStatus status) {
    switch (status) {
        case ShortenStatus::Created: return "created";
        case ShortenStatus::NotLeader: return "not-leader";
        case ShortenStatus::NoLeader: return "no-leader";
        case ShortenStatus::Timeout: return "timeout";
        case ShortenStatus::Invalid: return "invalid";
    }
    UNREACHABLE();
}

}  // namespace raftlink::service
