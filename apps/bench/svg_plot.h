// SPDX-License-Identifier: MIT
// A self-contained SVG of one run for a person to read: latency over time (one dot per
// request, blue for success, red for failure) above the latency distribution (latency by
// percentile, on the usual "nines" axis: 0%, 90%, 99%, 99.9%...). Both panels share the
// latency axis, which turns logarithmic when the tail is far above the median.
#pragma once

#include <string>

#include "apps/bench/run_description.h"
#include "apps/bench/run_metrics.h"

namespace raftlink::bench {

/// At most this many dots are drawn; beyond it every k-th success is drawn (all failures are,
/// up to the same bound) and the subtitle says so.
constexpr std::size_t svg_points_max = 20000;

/// The SVG document (UTF-8, with an XML declaration). A run without results gives a page that
/// says so.
std::string render_svg(const RunDescription& description, const RunMetrics& metrics,
                       const RunRecord& record);

/// Text escaped for SVG/XML character data and attribute values.
std::string escape_xml(const std::string& text);

}  // namespace raftlink::bench
