// SPDX-License-Identifier: MIT
#include "apps/bench/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "apps/bench/plot_scale.h"

namespace raftlink::bench {
namespace {

constexpr double page_width = 1000;
constexpr double page_height = 860;
constexpr double plot_left = 90;
constexpr double plot_right = 960;
/// Panel tops and bottoms (pixels): the time series first, the distribution below it.
constexpr double series_top = 110, series_bottom = 420;
constexpr double distribution_top = 510, distribution_bottom = 800;
constexpr const char* success_color = "#1f77b4";
constexpr const char* failure_color = "#d62728";

struct Frame {
    double top;
    double bottom;
};

class Svg {
public:
    void raw(const std::string& text) { out_ += text; }
    void text(double x, double y, const std::string& content, const char* anchor = "start",
              int size = 12, const char* extra = "") {
        out_ += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-size="{}"{}>)"
                            "{}</text>\n",
                            x, y, anchor, size, extra, escape_xml(content));
    }
    void line(double x1, double y1, double x2, double y2, const char* style) {
        out_ += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" {}/>)"
                            "\n",
                            x1, y1, x2, y2, style);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

/// The latency axis both panels share: logarithmic when the slowest answer is more than 50
/// times the fastest, so that the median stays readable next to the tail.
AxisScale latency_axis(const std::vector<DurationNs>& sorted, const Frame& frame) {
    const double fastest = std::max(to_milliseconds(sorted.front()), 1e-3);
    const double slowest = std::max(to_milliseconds(sorted.back()), fastest * 1.01);
    if (slowest / fastest > 50) {
        const double low = std::pow(10.0, std::floor(std::log10(fastest)));
        const double high = std::pow(10.0, std::ceil(std::log10(slowest)));
        return AxisScale::logarithmic(low, high, frame.bottom, frame.top);
    }
    const std::vector<double> ticks = nice_ticks(0, slowest, 6);
    return AxisScale::linear(0, ticks.back(), frame.bottom, frame.top);
}

std::vector<double> latency_ticks(const AxisScale& axis) {
    if (axis.is_logarithmic()) return log_ticks(axis.domain_low(), axis.domain_high());
    return nice_ticks(axis.domain_low(), axis.domain_high(), 6);
}

void draw_latency_axis(Svg& svg, const AxisScale& axis, const Frame& frame) {
    for (const double tick : latency_ticks(axis)) {
        const double y = axis.pixel(tick);
        svg.line(plot_left, y, plot_right, y, R"(stroke="#e0e0e0")");
        svg.text(plot_left - 6, y + 4, tick_label(tick), "end", 11);
    }
    svg.line(plot_left, frame.top, plot_left, frame.bottom, R"(stroke="#333")");
    svg.line(plot_left, frame.bottom, plot_right, frame.bottom, R"(stroke="#333")");
    const double middle = (frame.top + frame.bottom) / 2;
    svg.raw(
        fmt::format("<text x=\"30\" y=\"{0:.1f}\" text-anchor=\"middle\" font-size=\"12\" "
                    "transform=\"rotate(-90 30 {0:.1f})\">latency (ms{1})</text>\n",
                    middle, axis.is_logarithmic() ? ", log scale" : ""));
}

/// Which results get a dot: all of them, or every stride-th success plus failures.
std::size_t success_stride(const RunRecord& record) {
    return std::max<std::size_t>(1, (record.results.size() + svg_points_max - 1) / svg_points_max);
}

void draw_dots(Svg& svg, const RunRecord& record, LatencyOrigin origin, const AxisScale& x,
               const AxisScale& y, bool failures) {
    const std::size_t stride = failures ? 1 : success_stride(record);
    svg.raw(fmt::format(R"(<g fill="{}" fill-opacity="{}">)"
                        "\n",
                        failures ? failure_color : success_color, failures ? "0.8" : "0.5"));
    std::size_t drawn = 0;
    std::size_t successes_seen = 0;
    for (const RequestResult& result : record.results) {
        if (is_success(result.status_code) == failures) continue;
        if (!failures && successes_seen++ % stride != 0) continue;
        if (drawn++ >= svg_points_max) break;
        svg.raw(fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="1.6"/>)"
                            "\n",
                            x.pixel(to_seconds(result.sent_ns)),
                            y.pixel(to_milliseconds(latency_of(result, origin)))));
    }
    svg.raw("</g>\n");
}

void draw_series(Svg& svg, const RunMetrics& metrics, const RunRecord& record, LatencyOrigin origin,
                 const AxisScale& y) {
    const Frame frame{series_top, series_bottom};
    svg.text(plot_left, frame.top - 12, "Latency over time (one dot per request)", "start", 14,
             R"( font-weight="bold")");
    // The dots sit at their send times, so the axis spans the sends, not the last answer.
    const double span = std::max(to_seconds(metrics.latest), 1e-3);
    const std::vector<double> ticks = nice_ticks(0, span, 8);
    const AxisScale x = AxisScale::linear(0, ticks.back(), plot_left, plot_right);
    for (const double tick : ticks) {
        svg.line(x.pixel(tick), frame.bottom, x.pixel(tick), frame.bottom + 5, R"(stroke="#333")");
        svg.text(x.pixel(tick), frame.bottom + 18, tick_label(tick), "middle", 11);
    }
    svg.text((plot_left + plot_right) / 2, frame.bottom + 36, "time since start (s)", "middle");
    draw_latency_axis(svg, y, frame);
    draw_dots(svg, record, origin, x, y, false);
    draw_dots(svg, record, origin, x, y, true);
    const std::uint64_t failures = metrics.requests - metrics.successes;
    svg.raw(fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}"/>)"
                        "\n",
                        plot_right - 230, frame.top - 16, success_color));
    svg.text(plot_right - 222, frame.top - 12, fmt::format("success ({})", metrics.successes));
    svg.raw(fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}"/>)"
                        "\n",
                        plot_right - 110, frame.top - 16, failure_color));
    svg.text(plot_right - 102, frame.top - 12, fmt::format("failure ({})", failures));
}

/// The percentile at "nines" n: 1 - 10^-n (0 -> 0%, 1 -> 90%, 2 -> 99%).
double quantile_of_nines(double nines) {
    return 1 - std::pow(10.0, -nines);
}

DurationNs latency_at_quantile(const std::vector<DurationNs>& sorted, double quantile) {
    const auto index = static_cast<std::size_t>(quantile * static_cast<double>(sorted.size()));
    return sorted[std::min(index, sorted.size() - 1)];
}

/// "0%", "90%", "99%", "99.9%", ... for 0, 1, 2, 3 nines.
std::string nines_label(int nines) {
    if (nines == 0) return "0%";
    if (nines == 1) return "90%";
    if (nines == 2) return "99%";
    return "99." + std::string(static_cast<std::size_t>(nines - 2), '9') + "%";
}

void draw_distribution_axis(Svg& svg, const AxisScale& x, double nines_max, const Frame& frame) {
    for (int nines = 0; nines <= static_cast<int>(std::floor(nines_max + 1e-9)); ++nines) {
        const double px = x.pixel(nines);
        svg.line(px, frame.top, px, frame.bottom, R"(stroke="#e0e0e0")");
        svg.text(px, frame.bottom + 18, nines_label(nines), "middle", 11);
    }
    svg.text((plot_left + plot_right) / 2, frame.bottom + 36, "percentile", "middle");
}

void draw_distribution(Svg& svg, const std::vector<DurationNs>& sorted, const AxisScale& y) {
    const Frame frame{distribution_top, distribution_bottom};
    svg.text(plot_left, frame.top - 12, "Latency distribution (latency by percentile)", "start", 14,
             R"( font-weight="bold")");
    // n answers resolve percentiles down to 1/n: 100 requests reach 99%, 10,000 reach 99.99%.
    const double nines_max = std::max(1.0, std::log10(static_cast<double>(sorted.size())));
    const AxisScale x = AxisScale::linear(0, nines_max, plot_left, plot_right);
    draw_distribution_axis(svg, x, nines_max, frame);
    draw_latency_axis(svg, y, frame);
    constexpr int curve_points = 600;
    std::string points;
    for (int i = 0; i <= curve_points; ++i) {
        const double nines = nines_max * i / curve_points;
        const DurationNs latency = latency_at_quantile(sorted, quantile_of_nines(nines));
        points += fmt::format("{:.1f},{:.1f} ", x.pixel(nines), y.pixel(to_milliseconds(latency)));
    }
    svg.raw(fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)"
                        "\n",
                        success_color, points));
    const std::pair<const char*, double> marks[] = {
        {"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};
    for (const auto& [name, quantile] : marks) {
        const double nines = -std::log10(1 - quantile);
        if (nines > nines_max + 1e-9) continue;
        const DurationNs latency = nearest_rank_percentile(
            sorted, static_cast<std::uint32_t>(std::lround(quantile * 10000)));
        const double px = x.pixel(nines);
        const double py = y.pixel(to_milliseconds(latency));
        svg.raw(fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="#333"/>)"
                            "\n",
                            px, py));
        // A mark near the right edge gets its label on its left, inside the page.
        const bool near_edge = px > plot_right - 160;
        svg.text(near_edge ? px - 6 : px + 6, py - 6,
                 fmt::format("{} {}", name, format_vegeta_duration(latency)),
                 near_edge ? "end" : "start", 11);
    }
}

std::string subtitle(const RunMetrics& metrics, const RunRecord& record,
                     const RunDescription& description) {
    std::string text =
        fmt::format("{} requests, success {:.2f}%, p50 {}, p99 {}, max {}; latency from {} time",
                    metrics.requests, metrics.success_ratio * 100,
                    format_vegeta_duration(metrics.latencies.p50),
                    format_vegeta_duration(metrics.latencies.p99),
                    format_vegeta_duration(metrics.latencies.max),
                    description.latency_origin == LatencyOrigin::Sent ? "send" : "scheduled send");
    const std::size_t stride = success_stride(record);
    if (stride > 1) text += fmt::format("; 1 in {} successes drawn", stride);
    return text;
}

}  // namespace

std::string escape_xml(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
                    out += ' ';
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string render_svg(const RunDescription& description, const RunMetrics& metrics,
                       const RunRecord& record) {
    Svg svg;
    svg.raw(
        fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
                    R"(viewBox="0 0 {0} {1}" font-family="sans-serif">)"
                    "\n",
                    page_width, page_height));
    svg.raw(R"(<rect width="100%" height="100%" fill="white"/>)"
            "\n");
    svg.text(page_width / 2, 32, "raftlink bench: " + describe(description), "middle", 16,
             R"( font-weight="bold")");
    if (record.results.empty()) {
        svg.text(page_width / 2, 70, "no requests were made", "middle", 13);
    } else {
        svg.text(page_width / 2, 56, subtitle(metrics, record, description), "middle", 12);
        const LatencyOrigin origin = description.latency_origin;
        const std::vector<DurationNs> sorted = sorted_latencies(record, origin);
        draw_series(svg, metrics, record, origin,
                    latency_axis(sorted, {series_top, series_bottom}));
        draw_distribution(svg, sorted,
                          latency_axis(sorted, {distribution_top, distribution_bottom}));
    }
    svg.raw("</svg>\n");
    return svg.take();
}

}  // namespace raftlink::bench
