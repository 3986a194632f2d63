// SPDX-License-Identifier: MIT
#include "apps/bench/vegeta_format.h"

#include <fmt/format.h>

#include <algorithm>

namespace raftlink::bench {
namespace {

std::size_t utf8_length(const std::string& text) {
    // Count every byte that does not continue a multi-byte sequence.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += separator;
        out += parts[i];
    }
    return out;
}

}  // namespace

std::string align_columns(const std::vector<std::vector<std::string>>& rows) {
    constexpr std::size_t padding = 2;
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        // A row's last cell is not terminated by a tab, so it takes no part in alignment.
        for (std::size_t column = 0; column + 1 < row.size(); ++column) {
            if (widths.size() <= column) widths.push_back(0);
            widths[column] = std::max(widths[column], utf8_length(row[column]));
        }
    }
    std::string out;
    for (const auto& row : rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            out += row[column];
            if (column + 1 < row.size()) {
                out.append(widths[column] + padding - utf8_length(row[column]), ' ');
            }
        }
        out += '\n';
    }
    return out;
}

std::string format_vegeta_text(const RunMetrics& metrics) {
    const LatencyFigures& l = metrics.latencies;
    const auto d = format_vegeta_duration;
    std::vector<std::string> codes;
    for (const auto& [code, count] : metrics.status_codes)
        codes.push_back(fmt::format("{}:{}", code, count));
    const std::vector<std::vector<std::string>> rows = {
        {"Requests", "[total, rate, throughput]",
         fmt::format("{}, {:.2f}, {:.2f}", metrics.requests, metrics.rate, metrics.throughput)},
        {"Duration", "[total, attack, wait]",
         fmt::format("{}, {}, {}", d(metrics.attack + metrics.wait), d(metrics.attack),
                     d(metrics.wait))},
        {"Latencies", "[min, mean, 50, 90, 95, 99, max]",
         fmt::format("{}, {}, {}, {}, {}, {}, {}", d(l.min), d(l.mean), d(l.p50), d(l.p90),
                     d(l.p95), d(l.p99), d(l.max))},
        {"Bytes In", "[total, mean]",
         fmt::format("{}, {:.2f}", metrics.bytes_in_total, metrics.bytes_in_mean)},
        {"Bytes Out", "[total, mean]",
         fmt::format("{}, {:.2f}", metrics.bytes_out_total, metrics.bytes_out_mean)},
        {"Success", "[ratio]", fmt::format("{:.2f}%", metrics.success_ratio * 100)},
        {"Status Codes", "[code:count]", join(codes, "  ")},
    };
    std::string out = align_columns(rows);
    if (!metrics.errors.empty()) {
        out += "Error Set:\n";
        for (const std::string& error : metrics.errors) out += error + "\n";
    }
    return out;
}

std::string format_late_launches(const RunMetrics& metrics) {
    return fmt::format("Late launches: {} of {} (more than {} behind schedule; worst {})\n",
                       metrics.late_launches, metrics.requests,
                       format_go_duration(late_launch_threshold),
                       format_vegeta_duration(metrics.lateness_max));
}

}  // namespace raftlink::bench
