// SPDX-License-Identifier: MIT
#include "io/sim/latency.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace raftlink::sim {
namespace {

/// std::llround for 0 <= x < 2^63, without the call into libm (a tenth of a message's cost in
/// the simulator). Exact: below 2^52 the integer part and the fraction are exact doubles,
/// above it x is already an integer; halves round up, as llround rounds them away from zero.
Nanos round_non_negative(double x) {
    const auto whole = static_cast<Nanos>(x);
    return x - static_cast<double>(whole) >= 0.5 ? whole + 1 : whole;
}

}  // namespace

Nanos sample_latency(const LatencyModel& model, Prng& prng) {
    switch (model.kind) {
        case LatencyModel::Kind::Fixed: return model.fixed;
        case LatencyModel::Kind::Uniform: return prng.uniform(model.min, model.max);
        case LatencyModel::Kind::Exponential: {
            const double tail = prng.exponential(static_cast<double>(model.mean));
            // Cap the tail at 1000 means so that one draw cannot stall a run for hours.
            const double capped = std::min(tail, 1000.0 * static_cast<double>(model.mean));
            return model.min + round_non_negative(capped);
        }
    }
    UNREACHABLE();
}

Nanos sample_time(const TimeRange& range, Prng& prng) {
    ASSERT_LE(range.min, range.max);
    return prng.uniform(range.min, range.max);
}

}  // namespace raftlink::sim
