// SPDX-License-Identifier: MIT
// What one request did, as the load generators record it and every report reads it.
//
// Times are nanoseconds since the run's start on the steady clock, so results from several
// generator threads merge without conversion. A request that got no HTTP answer (refused,
// reset, timed out) has status_code 0 and a non-empty error, as in vegeta.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/bench/go_duration.h"

namespace raftlink::bench {

struct RequestResult {
    /// The request's sequence number (the n-th launched request of the run, from 0).
    std::uint64_t sequence = 0;
    /// When the schedule wanted it sent. Equal to sent_ns in closed-loop runs.
    DurationNs scheduled_ns = 0;
    /// When it was actually launched (before waiting for a connection), vegeta's Timestamp.
    DurationNs sent_ns = 0;
    /// When its answer (or its failure) arrived. Invariant: done_ns >= sent_ns.
    DurationNs done_ns = 0;
    /// The HTTP status, or 0 when no answer came.
    std::uint16_t status_code = 0;
    /// Response body bytes (vegeta's BytesIn) and request body bytes (BytesOut).
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    /// Empty on success; otherwise the transport error or the status line ("409 Conflict").
    std::string error;
};

/// Where a latency is measured from. vegeta measures from the actual send; measuring from the
/// schedule also charges the generator's own lag to the server (Gil Tene's correction).
enum class LatencyOrigin { Sent, Scheduled };

inline DurationNs latency_of(const RequestResult& result, LatencyOrigin origin) {
    const DurationNs start = origin == LatencyOrigin::Sent ? result.sent_ns : result.scheduled_ns;
    return result.done_ns - start;
}

/// vegeta's success rule: any 2xx or 3xx answer.
inline bool is_success(std::uint16_t status_code) {
    return status_code >= 200 && status_code < 400;
}

/// Everything one run (open or closed loop) produced.
struct RunRecord {
    std::vector<RequestResult> results;
    /// Short ids from 201 answers, when the target collects them (creates with --save-ids).
    std::vector<std::string> created_ids;
    /// Open loop only: launches more than late_launch_threshold behind their schedule.
    std::uint64_t late_launches = 0;
    DurationNs lateness_max = 0;
    /// True when the run was cut short by Ctrl-C.
    bool interrupted = false;
};

/// A launch this far behind its schedule is reported: the generator, not the server, lagged.
constexpr DurationNs late_launch_threshold = 10 * millisecond;

}  // namespace raftlink::bench
