// SPDX-License-Identifier: MIT
// The SVG is well-formed (balanced tags, escaped text) and holds both panels; the scales
// choose readable ticks.
#include "apps/bench/svg_plot.h"

#include <doctest/doctest.h>

#include "apps/bench/plot_scale.h"

using namespace raftlink::bench;

namespace {

/// True when every start tag has its end tag, in order (no attributes with '>' in them are
/// produced, so a simple scan suffices for our own output).
bool tags_balanced(const std::string& svg) {
    std::vector<std::string> open;
    std::size_t position = 0;
    while ((position = svg.find('<', position)) != std::string::npos) {
        const std::size_t end = svg.find('>', position);
        if (end == std::string::npos) return false;
        const std::string tag = svg.substr(position + 1, end - position - 1);
        position = end + 1;
        if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
        if (tag.back() == '/') continue;
        const std::string name =
            tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" \n") - (tag[0] == '/' ? 1 : 0));
        if (tag[0] == '/') {
            if (open.empty() || open.back() != name) return false;
            open.pop_back();
        } else {
            open.push_back(name);
        }
    }
    return open.empty();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

RunRecord sample_record() {
    RunRecord record;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        RequestResult r;
        r.sequence = i;
        r.sent_ns = static_cast<DurationNs>(i) * millisecond;
        r.scheduled_ns = r.sent_ns;
        r.done_ns =
            r.sent_ns + (i % 100 == 0 ? 80 : 1) * millisecond + static_cast<DurationNs>(i) * 1000;
        r.status_code = i % 250 == 0 ? 503 : 201;
        record.results.push_back(r);
    }
    return record;
}

}  // namespace

TEST_CASE("svg_plot: a run renders as a balanced document with both panels") {
    const RunRecord record = sample_record();
    const RunMetrics metrics = summarize(record, LatencyOrigin::Sent);
    const RunDescription description{
        "create",           "http://127.0.0.1:8001/?a=1&b=<2>", LoopMode::Open, 1000, 0, second, 0,
        LatencyOrigin::Sent};
    const std::string svg = render_svg(description, metrics, record);
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
    CHECK(svg.find("</svg>\n") == svg.size() - 7);
    CHECK(tags_balanced(svg));
    CHECK(svg.find("Latency over time") != std::string::npos);
    CHECK(svg.find("Latency distribution") != std::string::npos);
    CHECK(svg.find("&amp;b=&lt;2&gt;") != std::string::npos);
    CHECK(svg.find("<2>") == std::string::npos);
    // 996 successes and 4 failures, each a dot.
    CHECK(occurrences(svg, "<circle cx") >= 1000);
    CHECK(svg.find("failure (4)") != std::string::npos);
    // 1000 requests resolve percentiles down to 99.9%, and no further.
    CHECK(svg.find(">99.9%<") != std::string::npos);
    CHECK(svg.find(">99.99%<") == std::string::npos);
}

TEST_CASE("svg_plot: an empty run still renders") {
    const std::string svg = render_svg({}, RunMetrics{}, RunRecord{});
    CHECK(tags_balanced(svg));
    CHECK(svg.find("no requests") != std::string::npos);
}

TEST_CASE("svg_plot: escape_xml") {
    CHECK(escape_xml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(escape_xml(std::string("x\x01y")) == "x y");
}

TEST_CASE("plot_scale: nice ticks cover the range in 1-2-5 steps") {
    CHECK(nice_ticks(0, 10, 6) == std::vector<double>{0, 2, 4, 6, 8, 10});
    CHECK(nice_ticks(0, 47.3, 6) == std::vector<double>{0, 10, 20, 30, 40, 50});
    const std::vector<double> small = nice_ticks(0, 0.3, 4);
    CHECK(small.front() == 0);
    CHECK(small.back() >= 0.3);
    CHECK(log_ticks(0.1, 100) == std::vector<double>{0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100});
    CHECK(log_ticks(0.001, 1000).size() == 7);  // thinned to one per decade
    CHECK(tick_label(0.5) == "0.5");
    CHECK(tick_label(1500) == "1500");
    CHECK(tick_label(0) == "0");
}

TEST_CASE("plot_scale: axes map and clamp") {
    const AxisScale linear = AxisScale::linear(0, 10, 100, 200);
    CHECK(linear.pixel(5) == doctest::Approx(150));
    CHECK(linear.pixel(20) == doctest::Approx(200));
    const AxisScale flipped = AxisScale::linear(0, 10, 400, 100);
    CHECK(flipped.pixel(10) == doctest::Approx(100));
    const AxisScale log = AxisScale::logarithmic(1, 100, 0, 100);
    CHECK(log.pixel(10) == doctest::Approx(50));
}
