// SPDX-License-Identifier: MIT
// A simulated disk for one node: writes become durable only when their simulated fsync
// completes, and a crash loses every write still waiting for it.
//
// Writes complete in issue order (a later write never becomes durable before an earlier
// one). The durable image survives crashes and is what a restarted node loads.
#pragma once

#include <cstdint>
#include <functional>

#include "core/env.h"
#include "core/prng.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

class SimDisk final : public Storage {
public:
    SimDisk(EventLoop& loop, LatencyModel fsync_latency, Prng prng);

    raft::PersistentState load() override { return durable_; }
    void write(WriteBatch batch, std::function<void()> on_durable) override;

    /// The process died: writes not yet fsynced are lost, their callbacks never run.
    void crash();

    const raft::PersistentState& durable() const { return durable_; }
    std::uint64_t fsyncs() const { return fsyncs_; }

private:
    void make_durable(const WriteBatch& batch);

    EventLoop& loop_;
    LatencyModel fsync_latency_;
    Prng prng_;
    raft::PersistentState durable_;
    Nanos last_completion_ = 0;
    // Bumped by crash(); a completion scheduled before the crash sees a stale value and is void.
    std::uint64_t epoch_ = 0;
    std::uint64_t fsyncs_ = 0;
};

}  // namespace raftlink::sim
