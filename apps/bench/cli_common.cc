// SPDX-License-Identifier: MIT
#include "apps/bench/cli_common.h"

#include <fmt/format.h>

#include <cstdio>

#include "apps/bench/json_report.h"
#include "apps/bench/svg_plot.h"

namespace raftlink::bench {

CLI::Validator duration_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (parse_duration(text)) return {};
            return "not a duration: " + text + " (examples: 10s, 1m30s, 250ms, 2.5)";
        },
        "DURATION");
}

DurationNs parse_checked_duration(const std::string& text) {
    const auto parsed = parse_duration(text);
    return parsed ? *parsed : 0;
}

ProgressMode parse_progress_mode(const std::string& text, bool quiet) {
    if (quiet || text == "never") return ProgressMode::Never;
    if (text == "always") return ProgressMode::Always;
    return ProgressMode::Auto;
}

bool write_run_outputs(const LoadRun& run, const std::string& json_path, bool json_results,
                       const std::string& svg_path) {
    bool ok = true;
    if (!json_path.empty() && !write_text_file(json_path, run_json(run.description, run.metrics,
                                                                   run.record, json_results))) {
        std::fprintf(stderr, "bench: cannot write %s\n", json_path.c_str());
        ok = false;
    }
    if (!svg_path.empty() &&
        !write_text_file(svg_path, render_svg(run.description, run.metrics, run.record))) {
        std::fprintf(stderr, "bench: cannot write %s\n", svg_path.c_str());
        ok = false;
    }
    return ok;
}

}  // namespace raftlink::bench
