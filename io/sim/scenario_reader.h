// SPDX-License-Identifier: MIT
// The scenario loader's internals, shared by scenario.cc (the cluster, network, disk and
// workload sections), scenario_faults.cc (the fault timeline and the random mix) and
// scenario_reader.cc (the typed field readers every section uses). Not part of the API:
// include io/sim/scenario.h instead.
#pragma once

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "io/sim/scenario.h"

namespace raftlink::sim::detail {

using rapidjson::Value;

/// A scenario is a hand-written page of JSON; the bound keeps a wrong path (a log file, a
/// device) from being read into memory whole.
inline constexpr std::size_t scenario_file_bytes_max = 1 << 20;

/// No time in a scenario may exceed the longest run (one day). This also keeps every
/// millisecond-to-Nanos conversion far from int64 overflow.
inline constexpr Nanos time_max = ms(86'400'000);
inline constexpr Nanos latency_max = ms(3'600'000);  // as documented for LatencyModel
inline constexpr std::uint64_t nodes_max = 9;
inline constexpr std::uint64_t clients_max = 64;
inline constexpr std::uint64_t url_bytes_min = 16;
inline constexpr std::uint64_t url_bytes_max = 2048;
inline constexpr std::uint64_t jitter_us_max = 10'000;
inline constexpr std::uint64_t port_max = 65'000;
inline constexpr std::uint64_t seed_max = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::int64_t epoch_year_min = 1970;  // keeps epoch_unix_ms non-negative
/// A clock more than 50% off would make election timeouts meaningless rather than skewed.
inline constexpr double drift_ratio_max = 0.5;
/// More random faults per second than this would leave no quiet moment to observe.
inline constexpr double fault_rate_per_s_max = 100.0;
/// Kinds a random mix may draw; restart and heal follow the faults they end.
inline constexpr std::array<FaultKind, 7> random_fault_kinds = {
    FaultKind::Crash, FaultKind::Partition, FaultKind::Isolate, FaultKind::OneWay,
    FaultKind::Bridge, FaultKind::Pause, FaultKind::Corrupt};

/// Longest excerpt of a string quoted back in a message.
inline constexpr std::size_t quoted_bytes_max = 60;

std::string format_number(double number);
std::string format_ms(Nanos nanos);
/// Quotes text for a message, escaping what would make the message ambiguous or unprintable.
std::string quote(std::string_view text);
std::string_view text_of(const Value& string);
/// What a JSON value is, for the "got ..." half of a message.
std::string describe(const Value& value);
std::string join(const std::string& parent, std::string_view key);
std::string join(const std::string& parent, std::size_t index);

/// A field of the document: its value (nullptr when absent) and its dotted path.
struct Field {
    const Value* value = nullptr;
    std::string path;
};

Field member(const Value& object, const std::string& parent, std::string_view key);

/// Bounds of a time field, with notes naming where a bound comes from.
struct TimeBounds {
    Nanos min = 0;
    Nanos max = time_max;
    bool min_exclusive = false;
    bool max_exclusive = false;
    std::string min_note = {};
    std::string max_note = {};
};

/// Walks a parsed document section by section; the first problem found becomes the Error.
class ScenarioReader {
public:
    explicit ScenarioReader(const std::string& file) : file_(file) {}

    Result<Scenario> read(const Value& root);

private:
    bool read_top_level(const Value& root, Scenario& out);
    bool read_epoch(const Field& field, std::int64_t& out);
    bool read_raft(const Field& field, Scenario& out);
    bool read_boot(const Field& field, Scenario& out);
    bool read_start_times(const Field& field, Scenario& out);
    bool read_network(const Field& field, Scenario& out);
    bool read_links(const Field& field, Scenario& out);
    bool read_link(const Field& field, const Scenario& scenario, LinkLatency& out);
    bool read_disk(const Field& field, Scenario& out);
    bool read_clocks(const Field& field, Scenario& out);
    bool read_checks(const Field& field, Scenario& out);
    bool read_random_faults(const Field& field, Scenario& out);
    bool read_rates(const Field& field, RandomFaults& out);
    bool read_latency(const Field& field, LatencyModel& out);
    bool read_workload(const Field& field, Scenario& out);
    bool read_trace(const Field& field, Scenario& out);
    bool read_bool(const Field& field, bool& out);
    bool read_faults(const Field& field, Scenario& out);
    bool read_fault(const Field& field, const Scenario& scenario, Fault& out);
    bool read_fault_fields(const Field& field, const Scenario& scenario, Fault& out);
    bool read_groups(const Field& field, const Scenario& scenario, Fault& out);
    bool read_target(const Field& field, const Scenario& scenario, FaultKind kind,
                     FaultTarget& out);
    bool read_node_id(const Field& field, const Scenario& scenario, std::uint64_t& out);

    bool check_object(const Field& field, std::initializer_list<std::string_view> allowed);
    bool require(const Field& field);
    bool read_time(const Field& field, const TimeBounds& bounds, Nanos& out);
    bool read_time_pair(const Field& field, const TimeBounds& bounds, bool allow_single,
                        Nanos& min, Nanos& max);
    bool read_integer(const Field& field, std::uint64_t min, std::uint64_t max,
                      std::uint64_t& out);
    bool read_ratio(const Field& field, double& out, double max = 1.0);
    bool read_string(const Field& field, std::string& out);
    bool read_choice(const Field& field, std::initializer_list<std::string_view> choices,
                     std::string& out);

    bool fail(ErrorCode code, const std::string& message) {
        error_ = make_error(code, file_ + ": " + message);
        return false;
    }
    bool fail_field(ErrorCode code, const std::string& path, const std::string& expected,
                    const std::string& got) {
        return fail(code, "field " + quote(path) + ": expected " + expected + ", got " + got);
    }

    std::string file_;
    std::optional<Error> error_;
};

}  // namespace raftlink::sim::detail
