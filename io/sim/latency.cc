// SPDX-License-Identifier: MIT
#include "io/sim/latency.h"

#include <cmath>

#include "core/assert.h"

namespace raftlink::sim {

Nanos sample_latency(const LatencyModel& model, Prng& prng) {
    switch (model.kind) {
        case LatencyModel::Kind::Fixed: return model.fixed;
        case LatencyModel::Kind::Uniform: return prng.uniform(model.min, model.max);
        case LatencyModel::Kind::Exponential: {
            const double tail = prng.exponential(static_cast<double>(model.mean));
            // Cap the tail at 1000 means so that one draw cannot stall a run for hours.
            const double capped = std::min(tail, 1000.0 * static_cast<double>(model.mean));
            return model.min + static_cast<Nanos>(std::llround(capped));
        }
    }
    UNREACHABLE();
}

Nanos sample_time(const TimeRange& range, Prng& prng) {
    ASSERT_LE(range.min, range.max);
    return prng.uniform(range.min, range.max);
}

}  // namespace raftlink::sim
