// SPDX-License-Identifier: MIT
// Logging for the real node through spdlog, in the seed's trace format:
//   2023-02-08 20:02:03.050 [2] Becoming follower with term 0
// (local wall time with milliseconds, the node id in brackets, the seed's wording), the same
// lines the simulator prints. Role changes, elections and connection changes are logged at
// info; the per-message chatter (sending, receiving, timer resets) at debug.
#pragma once

#include <string>
#include <string_view>

#include "core/env.h"

namespace raftlink::real {

/// Configures spdlog's default logger: stderr, the trace format for node `id`, and `level`
/// ("trace", "debug", "info", "warn", "error", "critical", "off"). Returns false for an
/// unknown level name.
bool setup_logging(NodeId id, std::string_view level);

/// The level at which a core trace line is logged (spdlog::level::level_enum as int).
int trace_line_level(std::string_view text);

/// Whether the configured level shows any core trace line (they are logged at info or
/// debug). When it does not, the node turns tracing off, so that its hot paths format none.
bool trace_lines_shown();

class LogObserver final : public Observer {
public:
    void on_trace(NodeId node, const raft::TraceLine& line) override;
};

}  // namespace raftlink::real
