// SPDX-License-Identifier: MIT
// vegeta's text report, laid out exactly as `vegeta report` prints it (Go's tabwriter with
// padding 2 over the label and bracket columns), so that figures from bench and from the
// seed's vegeta runs can be compared line by line.
#pragma once

#include <string>
#include <vector>

#include "apps/bench/run_metrics.h"

namespace raftlink::bench {

/// Aligns rows of cells like Go's text/tabwriter with minwidth 0, padding 2 and ' ' as the pad
/// character: every cell but a row's last is padded to its column's widest cell plus 2.
/// Widths count UTF-8 characters, not bytes. Each row ends with '\n'.
std::string align_columns(const std::vector<std::vector<std::string>>& rows);

/// The seven lines of vegeta's text report. When the run had errors, vegeta's "Error Set:"
/// follows with one error per line; a run without errors prints nothing after the codes.
std::string format_vegeta_text(const RunMetrics& metrics);

/// One line about the generator itself: how many open-loop launches were more than
/// late_launch_threshold behind schedule and the worst lateness.
std::string format_late_launches(const RunMetrics& metrics);

}  // namespace raftlink::bench
