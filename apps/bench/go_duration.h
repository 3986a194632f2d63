// SPDX-License-Identifier: MIT
// Durations as Go prints and parses them, so that bench's tables read like vegeta's.
//
// Go's time.Duration.String: "0s", "850ns", "767.91µs", "26.695ms", "30.028s", "1m0s",
// "1h2m3.5s" (trailing zeros of the fraction dropped, µ is U+00B5). vegeta rounds each figure
// to the unit below its magnitude before printing it (26.914123ms -> 26.914ms), which
// round_like_vegeta reproduces. Pure functions; no clock is read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftlink::bench {

/// Nanoseconds, signed as Go's time.Duration.
using DurationNs = std::int64_t;

constexpr DurationNs nanosecond = 1;
constexpr DurationNs microsecond = 1000 * nanosecond;
constexpr DurationNs millisecond = 1000 * microsecond;
constexpr DurationNs second = 1000 * millisecond;
constexpr DurationNs minute = 60 * second;
constexpr DurationNs hour = 60 * minute;

/// Go's time.Duration.String, byte for byte.
std::string format_go_duration(DurationNs duration);

/// Go's Duration.Round(multiple): halves round away from zero. multiple must be > 0.
DurationNs round_go_duration(DurationNs duration, DurationNs multiple);

/// vegeta's reporters.go round(): a duration of at least one unit (h, m, s, ms) is rounded to
/// the next smaller unit; below a millisecond it is kept to the nanosecond.
DurationNs round_like_vegeta(DurationNs duration);

/// format_go_duration(round_like_vegeta(duration)): how vegeta's text report prints a figure.
std::string format_vegeta_duration(DurationNs duration);

/// Parses a Go duration ("10s", "1m30s", "250ms", "1.5h", "800us", "800µs") or a plain number
/// of seconds ("10", "0.5"). Returns nullopt on anything else or on a negative value.
std::optional<DurationNs> parse_duration(std::string_view text);

/// Seconds as a double, for rates and plots.
inline double to_seconds(DurationNs duration) {
    return static_cast<double>(duration) / 1e9;
}

/// Milliseconds as a double, for plots and JSON.
inline double to_milliseconds(DurationNs duration) {
    return static_cast<double>(duration) / 1e6;
}

}  // namespace raftlink::bench
