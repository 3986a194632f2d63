// SPDX-License-Identifier: MIT
#include "io/sim/sim_disk.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/assert.h"
#include "io/sim/latency.h"

namespace raftlink::sim {

SimDisk::SimDisk(EventLoop& loop, LatencyModel fsync_latency, Prng prng)
    : loop_(loop), fsync_latency_(fsync_latency), prng_(prng) {}

void SimDisk::write(WriteBatch batch, std::function<void()> on_durable) {
    const Nanos completion =
        std::max(last_completion_, loop_.now() + sample_latency(fsync_latency_, prng_));
    last_completion_ = completion;
    const std::uint64_t epoch = epoch_;
    auto shared_batch = std::make_shared<WriteBatch>(std::move(batch));
    loop_.at(completion, [this, epoch, shared_batch, done = std::move(on_durable)]() {
        if (epoch != epoch_) return;  // lost in a crash
        make_durable(*shared_batch);
        ++fsyncs_;
        done();
    });
}

void SimDisk::crash() {
    ++epoch_;
    last_completion_ = loop_.now();
}

void SimDisk::make_durable(const WriteBatch& batch) {
    if (batch.hard_state) durable_.hard_state = *batch.hard_state;
    if (batch.entries.empty()) return;
    const LogIndex first = batch.entries.front().index;
    ASSERT_GE(first, LogIndex(1));
    ASSERT_LE(first.value, durable_.entries.size() + 1);
    durable_.entries.resize(first.value - 1);
    durable_.entries.insert(durable_.entries.end(), batch.entries.begin(), batch.entries.end());
}

}  // namespace raftlink::sim
