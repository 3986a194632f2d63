// SPDX-License-Identifier: MIT
// FrameEncoder: encode_frame (io/real/frame.h) that encodes an AppendEntries once for all
// the followers it goes to.
//
// A leader sends the same entries to every follower that is caught up, one message after
// the other; the messages differ only in their recipient. Encoding the entries (and the copies
// encode_message makes) was about 40% of the transport's cost per create. The encoder keeps
// the last AppendEntries frame it built; when the next message carries the same entries, it
// copies that frame, rewrites the recipient and recomputes the checksum.
//
// "The same entries" is decided by the Log Matching Property (§5.3): a leader never changes
// an entry of its own log, so two AppendEntries from one leader in one term with the same
// previous index and term and the same last entry (index and term) carry identical entries.
// The other fields (commit index, read round, sender) are compared directly.
#pragma once

#include <cstddef>
#include <optional>

#include "core/raft/messages.h"
#include "core/result.h"
#include "core/types.h"

namespace raftlink::real {

class FrameEncoder {
public:
    /// encode_frame(message, payload_bytes_max), byte for byte.
    Result<Bytes> encode(const raft::Message& message, std::size_t payload_bytes_max);

    /// Frames built by copying the previous one (for tests and metrics).
    std::uint64_t reused() const { return reused_; }

private:
    /// What identifies an AppendEntries' payload apart from its recipient.
    struct AppendKey {
        NodeId from;
        Term term;
        LogIndex prev_log_index;
        Term prev_log_term;
        std::size_t entries = 0;
        LogIndex last_index;
        Term last_term;
        LogIndex leader_commit;
        std::uint64_t read_round = 0;

        bool operator==(const AppendKey&) const = default;
    };

    static std::optional<AppendKey> key_of(const raft::Message& message);

    std::optional<AppendKey> last_key_;
    Bytes last_frame_;
    std::uint64_t reused_ = 0;
};

}  // namespace raftlink::real
