// SPDX-License-Identifier: MIT
// Draws a delay from a scenario's LatencyModel with the simulator's own generator.
#pragma once

#include "core/prng.h"
#include "core/types.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

/// A delay >= 0 drawn from `model`.
Nanos sample_latency(const LatencyModel& model, Prng& prng);

/// A time drawn uniformly from `range` (both ends included).
Nanos sample_time(const TimeRange& range, Prng& prng);

}  // namespace raftlink::sim
