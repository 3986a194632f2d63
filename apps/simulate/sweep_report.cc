// SPDX-License-Identifier: MIT
#include "apps/simulate/sweep_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <tuple>

#include "apps/simulate/cli_common.h"
#include "core/assert.h"
#include "core/codec.h"
#include "core/text.h"

namespace raftlink::simulate {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t text_bytes_max = 64 * 1024;  // a property or detail in a result
/// Without a terminal the progress line is a log line; this keeps a CI log readable.
constexpr auto progress_interval_log = std::chrono::seconds(5);
constexpr auto progress_interval_terminal = std::chrono::milliseconds(200);

double to_seconds(Nanos nanos) { return static_cast<double>(nanos) / 1e9; }

double per_second(double amount, double seconds) { return amount / std::max(seconds, 1e-9); }

/// "42 s", "3 min 05 s", "2 h 07 min": an estimate, so no fractions.
std::string duration_text(double seconds) {
    const auto whole = static_cast<std::uint64_t>(std::max(seconds, 0.0) + 0.5);
    char text[48];
    if (whole < 60) {
        std::snprintf(text, sizeof text, "%llu s", static_cast<unsigned long long>(whole));
    } else if (whole < 3600) {
        std::snprintf(text, sizeof text, "%llu min %02llu s",
                      static_cast<unsigned long long>(whole / 60),
                      static_cast<unsigned long long>(whole % 60));
    } else {
        std::snprintf(text, sizeof text, "%llu h %02llu min",
                      static_cast<unsigned long long>(whole / 3600),
                      static_cast<unsigned long long>(whole / 60 % 60));
    }
    return text;
}

std::size_t index(SeedClass verdict) { return static_cast<std::size_t>(verdict); }

}  // namespace

Bytes SeedResult::encode() const {
    ByteWriter writer;
    writer.u8(static_cast<std::uint8_t>(verdict));
    writer.u64(events);
    writer.i64(simulated);
    writer.i64(wall);
    writer.u64(creates);
    writer.i64(create_latency_total);
    writer.i64(create_latency_max);
    writer.u64(reads);
    writer.i64(read_latency_total);
    writer.i64(read_latency_max);
    writer.string(property.substr(0, text_bytes_max));
    writer.string(detail.substr(0, text_bytes_max));
    return writer.take();
}

std::optional<SeedResult> SeedResult::decode(ByteView bytes) {
    ByteReader reader(bytes);
    SeedResult result;
    const std::uint8_t verdict = reader.u8();
    result.events = reader.u64();
    result.simulated = reader.i64();
    result.wall = reader.i64();
    result.creates = reader.u64();
    result.create_latency_total = reader.i64();
    result.create_latency_max = reader.i64();
    result.reads = reader.u64();
    result.read_latency_total = reader.i64();
    result.read_latency_max = reader.i64();
    result.property = reader.string(text_bytes_max);
    result.detail = reader.string(text_bytes_max);
    const bool known = verdict <= static_cast<std::uint8_t>(SeedClass::Safety);
    if (!reader.ok() || !reader.at_end() || !known) {
        return std::nullopt;
    }
    result.verdict = static_cast<SeedClass>(verdict);
    return result;
}

SweepReport::SweepReport(std::vector<ScenarioEntry> scenarios, std::uint64_t seeds_per_scenario,
                         std::size_t workers, std::string program)
    : scenarios_(std::move(scenarios)), tallies_(scenarios_.size()),
      total_(seeds_per_scenario * scenarios_.size()), workers_(workers),
      program_(std::move(program)), start_(Clock::now()), last_progress_(start_),
      terminal_(isatty(STDERR_FILENO) == 1) {}

void SweepReport::add(std::size_t scenario, std::uint64_t seed, SeedResult result) {
    ASSERT_LT(scenario, tallies_.size());
    Tally& tally = tallies_[scenario];
    ++tally.seeds;
    ++tally.by_class[index(result.verdict)];
    tally.events += result.events;
    tally.simulated += result.simulated;
    tally.wall += result.wall;
    tally.creates += result.creates;
    tally.create_latency_total += result.create_latency_total;
    tally.create_latency_max = std::max(tally.create_latency_max, result.create_latency_max);
    tally.reads += result.reads;
    tally.read_latency_total += result.read_latency_total;
    tally.read_latency_max = std::max(tally.read_latency_max, result.read_latency_max);
    if (result.verdict != SeedClass::Passed) {
        failures_.push_back(
            Failure{scenario, seed, std::move(result.property), std::move(result.detail)});
    }
}

std::uint64_t SweepReport::done() const {
    std::uint64_t count = 0;
    for (const Tally& tally : tallies_) count += tally.seeds;
    return count;
}

std::uint64_t SweepReport::failed() const { return failures_.size(); }

void SweepReport::progress() {
    const auto now = Clock::now();
    const auto interval = terminal_ ? std::chrono::duration_cast<Clock::duration>(
                                          progress_interval_terminal)
                                    : std::chrono::duration_cast<Clock::duration>(
                                          progress_interval_log);
    // A terminal shows the line at once, so that a short sweep shows it too.
    const bool first_on_terminal = terminal_ && !drawn_;
    if (!first_on_terminal && now - last_progress_ < interval) return;
    drawn_ = true;
    last_progress_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const std::uint64_t count = done();
    const double rate = per_second(static_cast<double>(count), elapsed);
    const std::string left =
        count == 0 ? std::string("estimating")
                   : "about " + duration_text(static_cast<double>(total_ - count) / rate) + " left";
    char line[160];
    std::snprintf(line, sizeof line, "sweep: %llu/%llu seeds, %llu failed, %.1f seeds/s, %s",
                  static_cast<unsigned long long>(count), static_cast<unsigned long long>(total_),
                  static_cast<unsigned long long>(failed()), rate, left.c_str());
    // On a terminal, \r returns to the line's start and ESC[K erases what a longer line left.
    std::cerr << (terminal_ ? "\r" : "") << line << (terminal_ ? "\033[K" : "\n") << std::flush;
}

void SweepReport::end_progress() {
    if (terminal_) std::cerr << "\r\033[K" << std::flush;
}

void SweepReport::print_table(std::ostream& out) const {
    std::size_t name_width = std::string("scenario").size();
    for (const ScenarioEntry& scenario : scenarios_) {
        name_width = std::max(name_width, scenario.name.size());
    }
    const int width = static_cast<int>(name_width);
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %8s %8s %8s %8s %8s %8s %10s %12s %9s", width,
                  "scenario", "seeds", "passed", "failed", "safety", "liveness", "crash",
                  "events/s", "sim s/wall s", "worker s");
    out << line << "\n";
    for (std::size_t i = 0; i < scenarios_.size(); ++i) {
        const Tally& tally = tallies_[i];
        const double wall = to_seconds(tally.wall);
        const std::uint64_t passed = tally.by_class[index(SeedClass::Passed)];
        std::snprintf(
            line, sizeof line, "%-*s %8llu %8llu %8llu %8llu %8llu %8llu %10.0f %12.1f %9.2f",
            width, scenarios_[i].name.c_str(), static_cast<unsigned long long>(tally.seeds),
            static_cast<unsigned long long>(passed),
            static_cast<unsigned long long>(tally.seeds - passed),
            static_cast<unsigned long long>(tally.by_class[index(SeedClass::Safety)]),
            static_cast<unsigned long long>(tally.by_class[index(SeedClass::Liveness)]),
            static_cast<unsigned long long>(tally.by_class[index(SeedClass::Crash)]),
            per_second(static_cast<double>(tally.events), wall),
            per_second(to_seconds(tally.simulated), wall), wall);
        out << line << "\n";
    }
}

void SweepReport::print_latency_table(std::ostream& out) const {
    bool any = false;
    for (const Tally& tally : tallies_) any = any || tally.creates + tally.reads > 0;
    if (!any) return;
    std::size_t name_width = std::string("latency (virtual ms)").size();
    for (const ScenarioEntry& scenario : scenarios_) {
        name_width = std::max(name_width, scenario.name.size());
    }
    const int width = static_cast<int>(name_width);
    const auto mean_ms = [](Nanos total, std::uint64_t count) {
        return count == 0 ? 0.0 : static_cast<double>(total) / 1e6 / static_cast<double>(count);
    };
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %10s %10s %10s %10s %10s %10s", width,
                  "latency (virtual ms)", "creates", "mean", "max", "reads", "mean", "max");
    out << line << "\n";
    for (std::size_t i = 0; i < scenarios_.size(); ++i) {
        const Tally& tally = tallies_[i];
        std::snprintf(line, sizeof line, "%-*s %10llu %10.3f %10.3f %10llu %10.3f %10.3f", width,
                      scenarios_[i].name.c_str(), static_cast<unsigned long long>(tally.creates),
                      mean_ms(tally.create_latency_total, tally.creates),
                      static_cast<double>(tally.create_latency_max) / 1e6,
                      static_cast<unsigned long long>(tally.reads),
                      mean_ms(tally.read_latency_total, tally.reads),
                      static_cast<double>(tally.read_latency_max) / 1e6);
        out << line << "\n";
    }
}

void SweepReport::print_summary(std::ostream& out) const {
    print_table(out);
    print_latency_table(out);
    std::uint64_t events = 0;
    Nanos simulated = 0;
    for (const Tally& tally : tallies_) events += tally.events, simulated += tally.simulated;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    char line[320];
    std::snprintf(line, sizeof line,
                  "sweep: %llu seeds, %llu failed, %.2f s wall with %zu worker%s: %.1f seeds/s, "
                  "%.0f events/s, %.1f simulated s per wall s",
                  static_cast<unsigned long long>(done()),
                  static_cast<unsigned long long>(failed()), elapsed, workers_,
                  workers_ == 1 ? "" : "s", per_second(static_cast<double>(done()), elapsed),
                  per_second(static_cast<double>(events), elapsed),
                  per_second(to_seconds(simulated), elapsed));
    out << line << "\n"
        << "(per scenario, events/s and sim s/wall s are per worker: sums over the seeds of "
           "what the workers measured; worker s is their total run time)\n";
    std::vector<const Failure*> sorted;
    for (const Failure& failure : failures_) sorted.push_back(&failure);
    std::sort(sorted.begin(), sorted.end(), [](const Failure* a, const Failure* b) {
        return std::tie(a->scenario, a->seed) < std::tie(b->scenario, b->seed);
    });
    for (const Failure* failure : sorted) {
        const ScenarioEntry& scenario = scenarios_[failure->scenario];
        out << scenario.name << " seed " << failure->seed << ": " << failure->property << ": "
            << failure->detail << "\n"
            << "  replay: " << replay_command(program_, scenario.path, failure->seed) << "\n";
    }
}

int SweepReport::exit_code() const {
    int worst = exit_ok;
    for (const Tally& tally : tallies_) {
        if (tally.by_class[index(SeedClass::Crash)] > 0) worst = std::max(worst, exit_crash);
        if (tally.by_class[index(SeedClass::Liveness)] > 0) {
            worst = std::max(worst, exit_liveness);
        }
        if (tally.by_class[index(SeedClass::Safety)] > 0) worst = std::max(worst, exit_safety);
    }
    return worst;
}

}  // namespace raftlink::simulate
