// SPDX-License-Identifier: MIT
// What a sweep reports: one compact result per seed (sent from a worker to the parent), the
// progress line while it runs, and at the end a table per scenario and one line per failure.
//
// Results arrive in whatever order the workers finish; the table and the failure lines are
// built so that they do not depend on that order (failures are sorted by scenario and seed,
// tallies are sums), and only the timing columns differ between two sweeps of the same seeds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/types.h"

namespace raftlink::simulate {

/// Ordered by severity; each failing class has its exit code (cli_common.h).
enum class SeedClass : std::uint8_t { Passed = 0, Crash = 1, Liveness = 2, Safety = 3 };

struct SeedResult {
    SeedClass verdict = SeedClass::Passed;
    std::uint64_t events = 0;
    Nanos simulated = 0;
    Nanos wall = 0;            // measured in the worker around the run alone
    /// Acknowledged creates and answered reads: how many, their summed and longest latency
    /// (virtual time), enough to pool the seeds of a scenario into a mean and a maximum.
    std::uint64_t creates = 0;
    Nanos create_latency_total = 0;
    Nanos create_latency_max = 0;
    std::uint64_t reads = 0;
    Nanos read_latency_total = 0;
    Nanos read_latency_max = 0;
    std::string property;      // failures only, e.g. "election safety" or "crash"
    std::string detail;

    Bytes encode() const;
    /// Null if the bytes are not a result (a broken worker).
    static std::optional<SeedResult> decode(ByteView bytes);
};

struct ScenarioEntry {
    std::string name;
    std::string path;          // as given on the command line, for replay commands
};

class SweepReport {
public:
    SweepReport(std::vector<ScenarioEntry> scenarios, std::uint64_t seeds_per_scenario,
                std::size_t workers, std::string program);

    void add(std::size_t scenario, std::uint64_t seed, SeedResult result);

    /// The progress line on stderr: rewritten in place on a terminal, else printed every few
    /// seconds. Call often; it decides itself whether to print.
    void progress();
    /// Clears the progress line from a terminal before the summary.
    void end_progress();

    /// The table, the totals and the failures, each with its replay command.
    void print_summary(std::ostream& out) const;
    /// 0, or the exit code of the most severe class seen.
    int exit_code() const;

private:
    struct Tally {
        std::uint64_t seeds = 0;
        std::uint64_t by_class[4] = {0, 0, 0, 0};
        std::uint64_t events = 0;
        Nanos simulated = 0;
        Nanos wall = 0;
        std::uint64_t creates = 0;
        Nanos create_latency_total = 0;
        Nanos create_latency_max = 0;
        std::uint64_t reads = 0;
        Nanos read_latency_total = 0;
        Nanos read_latency_max = 0;
    };
    struct Failure {
        std::size_t scenario = 0;
        std::uint64_t seed = 0;
        std::string property;
        std::string detail;
    };
    void print_table(std::ostream& out) const;
    void print_latency_table(std::ostream& out) const;
    std::uint64_t done() const;
    std::uint64_t failed() const;

    std::vector<ScenarioEntry> scenarios_;
    std::vector<Tally> tallies_;
    std::vector<Failure> failures_;
    std::uint64_t total_;
    std::size_t workers_;
    std::string program_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_progress_;
    bool terminal_;
    bool drawn_ = false;  // the progress line has been printed at least once
};

}  // namespace raftlink::simulate
