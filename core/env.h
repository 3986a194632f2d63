// SPDX-License-Identifier: MIT
// The four interfaces through which the core sees the world. io/sim and io/real implement
// them; nothing else of the protocol lives outside core/.
//
// All calls for one replica happen on one thread, and no call blocks: storage writes and
// wake-ups complete later through callbacks on that same thread. Callbacks come last.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/raft/messages.h"
#include "core/raft/ready.h"
#include "core/raft/trace_line.h"
#include "core/types.h"

namespace raftlink {

class Clock {
public:
    virtual ~Clock() = default;
    /// Monotonic time in nanoseconds.
    virtual Nanos now() const = 0;
    /// Asks for Replica::on_time to be called at or soon after `deadline`. A later request
    /// replaces an earlier one; spurious calls are harmless.
    virtual void wake_at(Nanos deadline) = 0;
    /// Wall-clock milliseconds since the Unix epoch; only a leader reads it, to stamp commands.
    virtual std::int64_t wall_now_ms() const = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    /// Best effort: the message may be lost, delayed, duplicated or reordered.
    virtual void send(const raft::Message& message) = 0;
    /// The same for a message the caller is done with: a transport that keeps messages (the
    /// simulator's network) can take its entries without copying them.
    virtual void send(raft::Message&& message) {
        send(static_cast<const raft::Message&>(message));
    }
};

/// What one write makes durable: an optional hard state, and entries that replace the stored
/// log from entries.front().index on.
struct WriteBatch {
    std::optional<raft::HardState> hard_state;
    std::vector<raft::Entry> entries;
};

class Storage {
public:
    virtual ~Storage() = default;
    /// What was durable when the process last stopped; called once, at start.
    virtual raft::PersistentState load() = 0;
    /// Makes `batch` durable, then calls `on_durable` (after fsync). Writes complete in the
    /// order they were issued. A failed fsync stops the process (fail-stop).
    virtual void write(WriteBatch batch, std::function<void()> on_durable) = 0;
};

class Observer {
public:
    virtual ~Observer() = default;
    /// One line of `node`'s trace; the observer adds the timestamp.
    virtual void on_trace(NodeId node, const raft::TraceLine& line) = 0;
};

}  // namespace raftlink
