// SPDX-License-Identifier: MIT
// A line of a node's trace, in the seed document's wording, before the environment adds the
// timestamp and node id ("2023-02-08 20:02:08.350 [1] Election timer expired").
//
// The seed logged from several goroutines, so its election timer's lines interleaved with its
// RPC handlers' lines at random. The core emits lines in one canonical order: a step's
// election timer lines come last, as one block, tagged with their lane and with how many of
// the step's other lines just before the block they could have raced with (`race_span`: the
// lines logged after the timer was asked to restart). The simulator, when a scenario asks for
// it, merges them at seeded random places to reproduce that interleaving. Nothing else
// depends on the lane.
#pragma once

#include <cstddef>
#include <string>

namespace raftlink::raft {

enum class TraceLane { Main, ElectionTimer };

struct TraceLine {
    TraceLane lane = TraceLane::Main;
    /// For ElectionTimer lines: how many Main lines just before the block may follow it.
    std::size_t race_span = 0;
    std::string text;
};

}  // namespace raftlink::raft
