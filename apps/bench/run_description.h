// SPDX-License-Identifier: MIT
// The parameters of a run as reports show them: in JSON, in the SVG's title and in the
// cluster profile's phase headers.
#pragma once

#include <cstdint>
#include <string>

#include "apps/bench/request_result.h"

namespace raftlink::bench {

enum class LoopMode { Open, Closed };

struct RunDescription {
    /// "create" or "read".
    std::string target;
    /// "http://127.0.0.1:8001".
    std::string url;
    LoopMode mode = LoopMode::Open;
    /// Open loop: requests per second.
    double rate = 0;
    /// Closed loop: connections.
    unsigned connections = 0;
    /// The planned duration (0 when the run is bounded by a request count instead).
    DurationNs duration = 0;
    /// The planned request count bound, 0 if none.
    std::uint64_t requests_max = 0;
    LatencyOrigin latency_origin = LatencyOrigin::Sent;
};

/// "create http://127.0.0.1:8001, open loop, 1000/s for 10s" or "create ..., closed loop,
/// 64 connections for 10s".
std::string describe(const RunDescription& description);

/// "open" or "closed".
const char* mode_name(LoopMode mode);

/// "sent" or "scheduled".
const char* latency_origin_name(LatencyOrigin origin);

}  // namespace raftlink::bench
