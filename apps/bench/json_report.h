// SPDX-License-Identifier: MIT
// Runs as JSON. The figures use vegeta's JSON report keys ("latencies" with "50th"...,
// "bytes_in", "status_codes", durations in nanoseconds), so tools written for vegeta's JSON
// read ours; bench adds the run's parameters, late launches and, on request, every result.
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <string>

#include "apps/bench/run_description.h"
#include "apps/bench/run_metrics.h"

namespace raftlink::bench {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// Writes one run as a JSON object: "parameters", vegeta's figures, "late_launches",
/// "lateness_max", and "results" (one object per request, in sequence order) when
/// include_results is true.
void write_run_json(JsonWriter& writer, const RunDescription& description,
                    const RunMetrics& metrics, const RunRecord& record, bool include_results);

/// The same as a standalone document.
std::string run_json(const RunDescription& description, const RunMetrics& metrics,
                     const RunRecord& record, bool include_results);

/// Writes text to path; false on an I/O error.
bool write_text_file(const std::string& path, const std::string& text);

}  // namespace raftlink::bench
