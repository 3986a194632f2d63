// SPDX-License-Identifier: MIT
#include "core/raft/config.h"

#include <algorithm>

#include "core/raft/message_codec.h"
#include "core/text.h"

namespace raftlink::raft {

std::optional<std::string> validate(const Config& config) {
    if (config.id == no_node) return "id must be >= 1";
    if (std::find(config.voters.begin(), config.voters.end(), config.id) == config.voters.end())
        return concat("voters must include the node's own id ", config.id);
    if (config.election_timeout_min <= 0) return "election timeout min must be > 0";
    if (config.election_timeout_max < config.election_timeout_min)
        return "election timeout max must be >= min";
    if (config.heartbeat_interval <= 0) return "heartbeat interval must be > 0";
    if (config.heartbeat_interval >= config.election_timeout_min)
        return "heartbeat interval must be < the election timeout min";
    if (config.entries_per_append_max == 0) return "entries per append must be >= 1";
    if (config.entries_per_append_max > message_entries_max)
        return concat("entries per append must be <= ", message_entries_max);
    if (config.entries_bytes_per_append_max == 0) return "entry bytes per append must be >= 1";
    if (config.inflight_appends_max == 0) return "inflight appends must be >= 1";
    if (config.storage_writes_inflight_max == 0) return "storage writes in flight must be >= 1";
    if (config.committed_entries_per_ready_max == 0)
        return "committed entries per ready must be >= 1";
    return std::nullopt;
}

}  // namespace raftlink::raft
