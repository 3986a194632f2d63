// SPDX-License-Identifier: MIT
// Strict loading of scenario JSON (format in scenario.h). A ScenarioReader walks the parsed
// document section by section; the first problem found becomes the Error, so that the message
// points at one field with what was expected and what was found. Every check is a value
// comparison: no input can make the loader assert, throw or recurse without bound.
#include "io/sim/scenario.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>

namespace raftlink::sim {
namespace {

using rapidjson::Value;

/// A scenario is a hand-written page of JSON; the bound keeps a wrong path (a log file, a
/// device) from being read into memory whole.
constexpr std::size_t scenario_file_bytes_max = 1 << 20;

/// No time in a scenario may exceed the longest run (one day). This also keeps every
/// millisecond-to-Nanos conversion far from int64 overflow.
constexpr Nanos time_max = ms(86'400'000);
constexpr Nanos latency_max = ms(3'600'000);  // as documented for LatencyModel
constexpr std::uint64_t nodes_max = 9;
constexpr std::uint64_t clients_max = 64;
constexpr std::uint64_t url_bytes_min = 16;
constexpr std::uint64_t url_bytes_max = 2048;
constexpr std::uint64_t jitter_us_max = 10'000;
constexpr std::uint64_t port_max = 65'000;
constexpr std::uint64_t seed_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t epoch_year_min = 1970;  // keeps epoch_unix_ms non-negative

/// Longest excerpt of a string quoted back in a message.
constexpr std::size_t quoted_bytes_max = 60;

std::string format_number(double number) {
    std::array<char, 32> buffer{};
    const auto [end, code] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    if (code != std::errc{}) return "?";
    return std::string(buffer.data(), end);
}

std::string format_ms(Nanos nanos) {
    return format_number(static_cast<double>(nanos) / static_cast<double>(nanos_per_ms));
}

/// Quotes text for a message, escaping what would make the message ambiguous or unprintable.
std::string quote(std::string_view text) {
    bool truncated = false;
    if (text.size() > quoted_bytes_max) {
        std::size_t cut = quoted_bytes_max;
        // Back off to a UTF-8 sequence start so that the excerpt stays valid UTF-8.
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut);
        truncated = true;
    }
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            std::array<char, 8> escape{};
            std::snprintf(escape.data(), escape.size(), "\\u%04x", static_cast<unsigned>(byte));
            out += escape.data();
        } else {
            out += c;
        }
    }
    return out + (truncated ? "...\"" : "\"");
}

std::string_view text_of(const Value& string) {
    return {string.GetString(), string.GetStringLength()};
}

/// What a JSON value is, for the "got ..." half of a message.
std::string describe(const Value& value) {
    if (value.IsNull()) return "null";
    if (value.IsBool()) return value.GetBool() ? "true" : "false";
    if (value.IsUint64()) return std::to_string(value.GetUint64());
    if (value.IsInt64()) return std::to_string(value.GetInt64());
    if (value.IsNumber()) {
        std::string text = format_number(value.GetDouble());
        // 3.0 was written as a fraction; say so, or "expected an integer, got 3" would puzzle.
        if (text.find_first_of(".e") == std::string::npos) text += ".0";
        return text;
    }
    if (value.IsString()) return quote(text_of(value));
    if (value.IsArray()) return "an array of " + std::to_string(value.Size()) + " elements";
    return "an object";
}

std::string join(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string join(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

/// A field of the document: its value (nullptr when absent) and its dotted path.
struct Field {
    const Value* value = nullptr;
    std::string path;
};

Field member(const Value& object, const std::string& parent, std::string_view key) {
    Field field{nullptr, join(parent, key)};
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        if (text_of(it->name) == key) field.value = &it->value;
    }
    return field;
}

/// Bounds of a time field, with notes naming where a bound comes from.
struct TimeBounds {
    Nanos min = 0;
    Nanos max = time_max;
    bool min_exclusive = false;
    bool max_exclusive = false;
    std::string min_note = {};
    std::string max_note = {};
};

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, std::int64_t month, std::int64_t day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const std::int64_t year_of_era = year - era * 400;
    const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const std::int64_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

std::int64_t days_in_month(std::int64_t year, std::int64_t month) {
    constexpr std::array<std::int64_t, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

/// Reads `count` decimal digits at `offset`, or nothing if any of them is not a digit.
std::optional<std::int64_t> digits(std::string_view text, std::size_t offset, std::size_t count) {
    std::int64_t number = 0;
    for (std::size_t i = offset; i < offset + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        number = number * 10 + (text[i] - '0');
    }
    return number;
}

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
    bool read_latency_section(const Field& field, std::string_view key, LatencyModel& out);
    bool read_latency(const Field& field, LatencyModel& out);
    bool read_workload(const Field& field, Scenario& out);
    bool read_trace(const Field& field, Scenario& out);
    bool read_bool(const Field& field, bool& out);
    bool read_faults(const Field& field, Scenario& out);
    bool read_fault(const Field& field, const Scenario& scenario, Fault& out);
    bool read_fault_target(const Field& field, const Scenario& scenario, Fault& out);

    bool check_object(const Field& field, std::initializer_list<std::string_view> allowed);
    bool require(const Field& field);
    bool read_time(const Field& field, const TimeBounds& bounds, Nanos& out);
    bool read_time_pair(const Field& field, const TimeBounds& bounds, bool allow_single,
                        Nanos& min, Nanos& max);
    bool read_integer(const Field& field, std::uint64_t min, std::uint64_t max,
                      std::uint64_t& out);
    bool read_ratio(const Field& field, double& out);
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

Result<Scenario> ScenarioReader::read(const Value& root) {
    Scenario scenario;
    scenario.path = file_;
    // Defaults that scenario.h documents but cannot write as member initializers, because
    // LatencyModel's own default (fixed 0) suits none of its three uses.
    scenario.network_latency = LatencyModel{.kind = LatencyModel::Kind::Fixed, .fixed = ms(1)};
    scenario.fsync_latency = LatencyModel{.kind = LatencyModel::Kind::Fixed, .fixed = 500'000};
    scenario.workload.think_time =
        LatencyModel{.kind = LatencyModel::Kind::Fixed, .fixed = ms(100)};
    if (!read_top_level(root, scenario)) return *error_;
    // Equal times keep file order, so a scenario can say "crash 1, then crash 2" at one moment.
    std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                     [](const Fault& a, const Fault& b) { return a.at.min < b.at.min; });
    return scenario;
}

bool ScenarioReader::read_top_level(const Value& root, Scenario& out) {
    const Field top{&root, ""};
    if (!check_object(top, {"name", "description", "seed", "nodes", "epoch", "duration_ms", "raft",
                            "boot", "network", "disk", "trace", "workload", "faults"})) {
        return false;
    }
    const Field name = member(root, "", "name");
    if (!require(name) || !read_string(name, out.name)) return false;
    if (out.name.empty()) {
        return fail_field(ErrorCode::OutOfRange, name.path, "a non-empty string", "\"\"");
    }
    // Counts and the duration first: later sections are checked against them.
    return read_string(member(root, "", "description"), out.description) &&
           read_integer(member(root, "", "seed"), 0, seed_max, out.default_seed) &&
           read_integer(member(root, "", "nodes"), 1, nodes_max, out.node_count) &&
           read_epoch(member(root, "", "epoch"), out.epoch_unix_ms) &&
           read_time(member(root, "", "duration_ms"), {.min = ms(1)}, out.duration) &&
           read_raft(member(root, "", "raft"), out) && read_boot(member(root, "", "boot"), out) &&
           read_latency_section(member(root, "", "network"), "latency", out.network_latency) &&
           read_latency_section(member(root, "", "disk"), "fsync", out.fsync_latency) &&
           read_trace(member(root, "", "trace"), out) &&
           read_workload(member(root, "", "workload"), out) &&
           read_faults(member(root, "", "faults"), out);
}

bool ScenarioReader::read_epoch(const Field& field, std::int64_t& out) {
    if (!field.value) return true;
    std::string text;
    if (!read_string(field, text)) return false;
    const std::string expected = "a UTC time \"YYYY-MM-DD HH:MM:SS.mmm\"";
    constexpr std::string_view shape = "0000-00-00 00:00:00.000";
    bool shape_ok = text.size() == shape.size();
    for (std::size_t i = 0; shape_ok && i < shape.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        shape_ok = shape[i] == '0' ? digit : text[i] == shape[i];
    }
    if (!shape_ok) return fail_field(ErrorCode::Malformed, field.path, expected, quote(text));
    const std::int64_t year = *digits(text, 0, 4);
    const std::int64_t month = *digits(text, 5, 2);
    const std::int64_t day = *digits(text, 8, 2);
    const std::int64_t hour = *digits(text, 11, 2);
    const std::int64_t minute = *digits(text, 14, 2);
    const std::int64_t second = *digits(text, 17, 2);
    const std::int64_t millisecond = *digits(text, 20, 3);
    // The month is checked before days_in_month indexes by it. No leap seconds: the
    // simulator's wall clock is a plain offset from this epoch.
    const bool valid = year >= epoch_year_min && month >= 1 && month <= 12 && day >= 1 &&
                       day <= days_in_month(year, month) && hour <= 23 && minute <= 59 &&
                       second <= 59;
    if (!valid) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          expected + " naming a real date and time in or after 1970", quote(text));
    }
    const std::int64_t seconds =
        days_from_civil(year, month, day) * 86'400 + hour * 3'600 + minute * 60 + second;
    out = seconds * 1'000 + millisecond;
    return true;
}

bool ScenarioReader::read_raft(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"election_timeout_ms", "heartbeat_ms", "debug_addend_ms",
                              "commit_timeout_ms"})) {
        return false;
    }
    const Value& raft = *field.value;
    const Field heartbeat = member(raft, field.path, "heartbeat_ms");
    if (!read_time_pair(member(raft, field.path, "election_timeout_ms"), {.min = ms(1)}, false,
                        out.election_timeout_min, out.election_timeout_max) ||
        !read_time(heartbeat, {.min = ms(1)}, out.heartbeat_interval) ||
        !read_time(member(raft, field.path, "debug_addend_ms"), {}, out.debug_addend) ||
        !read_time(member(raft, field.path, "commit_timeout_ms"), {.min = ms(1)},
                   out.commit_timeout)) {
        return false;
    }
    // A heartbeat no shorter than the election timeout would let followers time out while a
    // healthy leader is still within its heartbeat interval (§5.2). Checked after both are
    // known, whichever of them came from the defaults.
    if (out.heartbeat_interval >= out.election_timeout_min) {
        return fail_field(ErrorCode::OutOfRange, heartbeat.path,
                          "a number of milliseconds < " + format_ms(out.election_timeout_min) +
                              " (the election timeout minimum)",
                          format_ms(out.heartbeat_interval) +
                              (heartbeat.value ? "" : " (the default)"));
    }
    return true;
}

bool ScenarioReader::read_boot(const Field& field, Scenario& out) {
    out.start_at.assign(out.node_count, 0);
    if (!field.value) return true;
    if (!check_object(field, {"start_ms", "connect_retry_ms", "jitter_us_max", "use_ports_from"})) {
        return false;
    }
    const Value& boot = *field.value;
    std::uint64_t jitter_us = static_cast<std::uint64_t>(out.boot_jitter_max / 1'000);
    if (!read_start_times(member(boot, field.path, "start_ms"), out) ||
        !read_time(member(boot, field.path, "connect_retry_ms"), {.min = ms(1)},
                   out.connect_retry) ||
        !read_integer(member(boot, field.path, "jitter_us_max"), 0, jitter_us_max, jitter_us) ||
        !read_integer(member(boot, field.path, "use_ports_from"), 1, port_max,
                      out.use_ports_from)) {
        return false;
    }
    out.boot_jitter_max = static_cast<Nanos>(jitter_us) * 1'000;
    return true;
}

bool ScenarioReader::read_start_times(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!field.value->IsArray()) {
        return fail_field(ErrorCode::Malformed, field.path, "an array of milliseconds",
                          describe(*field.value));
    }
    const Value& times = *field.value;
    if (times.Size() != out.node_count) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          "an array of " + std::to_string(out.node_count) +
                              " elements (one per node)",
                          describe(times));
    }
    const TimeBounds bounds{.max = out.duration, .max_note = " (duration_ms)"};
    for (rapidjson::SizeType i = 0; i < times.Size(); ++i) {
        const Field time{&times[i], join(field.path, i)};
        if (!read_time(time, bounds, out.start_at[i])) return false;
    }
    return true;
}

/// Reads {"<key>": <latency model>}, the shape of both "network" and "disk".
bool ScenarioReader::read_latency_section(const Field& field, std::string_view key,
                                          LatencyModel& out) {
    if (!field.value) return true;
    if (!check_object(field, {key})) return false;
    return read_latency(member(*field.value, field.path, key), out);
}

bool ScenarioReader::read_latency(const Field& field, LatencyModel& out) {
    if (!field.value) return true;
    if (!field.value->IsObject()) {
        return fail_field(ErrorCode::Malformed, field.path, "an object", describe(*field.value));
    }
    const Value& model = *field.value;
    const Field distribution = member(model, field.path, "distribution");
    std::string kind;
    if (!require(distribution) ||
        !read_choice(distribution, {"fixed", "uniform", "exponential"}, kind)) {
        return false;
    }
    // Each distribution has its own parameters; a parameter of another one is unknown here.
    const bool fields_known =
        kind == "fixed"     ? check_object(field, {"distribution", "ms"})
        : kind == "uniform" ? check_object(field, {"distribution", "min_ms", "max_ms"})
                            : check_object(field, {"distribution", "min_ms", "mean_ms"});
    if (!fields_known) return false;
    const TimeBounds bounds{.max = latency_max};
    out = LatencyModel{};
    if (kind == "fixed") {
        const Field fixed = member(model, field.path, "ms");
        out.kind = LatencyModel::Kind::Fixed;
        return require(fixed) && read_time(fixed, bounds, out.fixed);
    }
    const Field min = member(model, field.path, "min_ms");
    if (!require(min) || !read_time(min, bounds, out.min)) return false;
    if (kind == "uniform") {
        const Field max = member(model, field.path, "max_ms");
        const TimeBounds max_bounds{.min = out.min, .max = latency_max, .min_note = " (min_ms)"};
        out.kind = LatencyModel::Kind::Uniform;
        return require(max) && read_time(max, max_bounds, out.max);
    }
    // The mean must be positive: an exponential with mean 0 is a fixed delay in disguise and
    // would divide by zero in the sampler's inversion.
    const Field mean = member(model, field.path, "mean_ms");
    const TimeBounds mean_bounds{.max = latency_max, .min_exclusive = true};
    out.kind = LatencyModel::Kind::Exponential;
    return require(mean) && read_time(mean, mean_bounds, out.mean);
}

bool ScenarioReader::read_workload(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"clients", "start_ms", "think_time", "resolve_ratio",
                              "request_timeout_ms", "url_bytes"})) {
        return false;
    }
    const Value& workload = *field.value;
    WorkloadSpec& into = out.workload;
    const TimeBounds start_bounds{.max = out.duration, .max_note = " (duration_ms)"};
    return read_integer(member(workload, field.path, "clients"), 0, clients_max, into.clients) &&
           read_time(member(workload, field.path, "start_ms"), start_bounds, into.start_at) &&
           read_latency(member(workload, field.path, "think_time"), into.think_time) &&
           read_ratio(member(workload, field.path, "resolve_ratio"), into.resolve_ratio) &&
           read_time(member(workload, field.path, "request_timeout_ms"), {.min = ms(1)},
                     into.request_timeout) &&
           read_integer(member(workload, field.path, "url_bytes"), url_bytes_min, url_bytes_max,
                        into.url_bytes);
}

bool ScenarioReader::read_faults(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!field.value->IsArray()) {
        return fail_field(ErrorCode::Malformed, field.path, "an array of fault objects",
                          describe(*field.value));
    }
    const Value& faults = *field.value;
    out.faults.reserve(faults.Size());
    for (rapidjson::SizeType i = 0; i < faults.Size(); ++i) {
        Fault fault;
        if (!read_fault(Field{&faults[i], join(field.path, i)}, out, fault)) return false;
        out.faults.push_back(fault);
    }
    return true;
}

bool ScenarioReader::read_fault(const Field& field, const Scenario& scenario, Fault& out) {
    if (!check_object(field, {"at_ms", "kind", "node"})) return false;
    const Value& fault = *field.value;
    const Field at = member(fault, field.path, "at_ms");
    const Field kind = member(fault, field.path, "kind");
    std::string kind_name;
    const TimeBounds bounds{.max = scenario.duration, .max_note = " (duration_ms)"};
    if (!require(at) || !read_time_pair(at, bounds, true, out.at.min, out.at.max) ||
        !require(kind) || !read_choice(kind, {"crash", "restart"}, kind_name)) {
        return false;
    }
    out.kind = kind_name == "crash" ? FaultKind::Crash : FaultKind::Restart;
    return read_fault_target(member(fault, field.path, "node"), scenario, out);
}

bool ScenarioReader::read_fault_target(const Field& field, const Scenario& scenario,
                                       Fault& out) {
    if (!require(field)) return false;
    const Value& node = *field.value;
    const bool restart = out.kind == FaultKind::Restart;
    const std::string expected = "a node id 1.." + std::to_string(scenario.node_count) +
                                 ", \"leader\"" + (restart ? " or \"crashed\"" : "");
    if (node.IsString()) {
        const std::string_view name = text_of(node);
        if (name == "leader") {
            out.target = FaultTarget{.kind = FaultTarget::Kind::Leader};
            return true;
        }
        if (name == "crashed" && restart) {
            out.target = FaultTarget{.kind = FaultTarget::Kind::Crashed};
            return true;
        }
        // Only a restart has a crashed node to pick; say so rather than just "unknown".
        const std::string hint = name == "crashed" ? " (\"crashed\" is only for kind restart)" : "";
        return fail_field(ErrorCode::OutOfRange, field.path, expected + hint, describe(node));
    }
    if (!node.IsNumber()) return fail_field(ErrorCode::Malformed, field.path, expected,
                                            describe(node));
    if (!node.IsUint64() || node.GetUint64() < 1 || node.GetUint64() > scenario.node_count) {
        const bool integer = node.IsInt64() || node.IsUint64();
        return fail_field(integer ? ErrorCode::OutOfRange : ErrorCode::Malformed,
                          field.path, expected, describe(node));
    }
    out.target = FaultTarget{.kind = FaultTarget::Kind::Node, .node = node.GetUint64()};
    return true;
}

/// Requires an object whose keys are all in `allowed`, each at most once (RapidJSON keeps
/// duplicates, and silently using one of two values is the kind of default we refuse).
bool ScenarioReader::check_object(const Field& field,
                                  std::initializer_list<std::string_view> allowed) {
    if (!field.value->IsObject()) {
        if (field.path.empty()) {
            return fail(ErrorCode::Malformed,
                        "expected a JSON object at the top level, got " + describe(*field.value));
        }
        return fail_field(ErrorCode::Malformed, field.path, "an object", describe(*field.value));
    }
    const Value& object = *field.value;
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        const std::string_view key = text_of(it->name);
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (const std::string_view name : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(name);
            }
            return fail(ErrorCode::Malformed, "unknown field " + quote(join(field.path, key)) +
                                                  " (expected one of: " + list + ")");
        }
        for (auto earlier = object.MemberBegin(); earlier != it; ++earlier) {
            if (text_of(earlier->name) == key) {
                return fail(ErrorCode::Malformed,
                            "duplicate field " + quote(join(field.path, key)));
            }
        }
    }
    return true;
}

bool ScenarioReader::require(const Field& field) {
    if (field.value) return true;
    return fail(ErrorCode::Malformed, "missing required field " + quote(field.path));
}

bool ScenarioReader::read_time(const Field& field, const TimeBounds& bounds, Nanos& out) {
    if (!field.value) return true;
    const std::string unit = "a number of milliseconds";
    const Value& value = *field.value;
    if (!value.IsNumber() || std::isnan(value.GetDouble())) {
        return fail_field(ErrorCode::Malformed, field.path, unit, describe(value));
    }
    // Compare after rounding to Nanos, as the simulator will use it; the clamp keeps the
    // conversion defined for absurd inputs such as 1e300, which fail the bound anyway.
    const double clamped = std::clamp(value.GetDouble(), -1e12, 1e12);
    const Nanos nanos = std::llround(clamped * static_cast<double>(nanos_per_ms));
    // Every lower bound is >= 0, so a negative value fails even if it rounds to 0 ns.
    const bool too_small = value.GetDouble() < 0 ||
                           (bounds.min_exclusive ? nanos <= bounds.min : nanos < bounds.min);
    const bool too_large = bounds.max_exclusive ? nanos >= bounds.max : nanos > bounds.max;
    if (too_small) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          unit + (bounds.min_exclusive ? " > " : " >= ") + format_ms(bounds.min) +
                              bounds.min_note,
                          describe(value));
    }
    if (too_large) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          unit + (bounds.max_exclusive ? " < " : " <= ") + format_ms(bounds.max) +
                              bounds.max_note,
                          describe(value));
    }
    out = nanos;
    return true;
}

/// Reads [min, max] (both within `bounds`, min <= max), or with `allow_single` a plain number
/// meaning min == max.
bool ScenarioReader::read_time_pair(const Field& field, const TimeBounds& bounds,
                                    bool allow_single, Nanos& min, Nanos& max) {
    if (!field.value) return true;
    const Value& value = *field.value;
    if (allow_single && value.IsNumber()) {
        if (!read_time(field, bounds, min)) return false;
        max = min;
        return true;
    }
    if (!value.IsArray() || value.Size() != 2) {
        return fail_field(ErrorCode::Malformed, field.path,
                          std::string(allow_single ? "a number of milliseconds or " : "") +
                              "an array [min, max] of milliseconds",
                          describe(value));
    }
    TimeBounds max_bounds = bounds;
    if (!read_time(Field{&value[0], join(field.path, 0)}, bounds, min)) return false;
    max_bounds.min = min;
    max_bounds.min_exclusive = false;
    max_bounds.min_note = " (the minimum, element 0)";
    return read_time(Field{&value[1], join(field.path, 1)}, max_bounds, max);
}

bool ScenarioReader::read_integer(const Field& field, std::uint64_t min, std::uint64_t max,
                                  std::uint64_t& out) {
    if (!field.value) return true;
    const Value& value = *field.value;
    // A fraction or a number beyond 64 bits arrives as a double: not an integer.
    if (!value.IsUint64() && !value.IsInt64()) {
        return fail_field(ErrorCode::Malformed, field.path, "an integer", describe(value));
    }
    if (!value.IsUint64() || value.GetUint64() < min) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          "an integer >= " + std::to_string(min), describe(value));
    }
    if (value.GetUint64() > max) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          "an integer <= " + std::to_string(max), describe(value));
    }
    out = value.GetUint64();
    return true;
}

bool ScenarioReader::read_ratio(const Field& field, double& out) {
    if (!field.value) return true;
    const Value& value = *field.value;
    if (!value.IsNumber()) {
        return fail_field(ErrorCode::Malformed, field.path, "a number", describe(value));
    }
    const double ratio = value.GetDouble();
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
        return fail_field(ErrorCode::OutOfRange, field.path, "a number in 0..1",
                          describe(value));
    }
    out = ratio;
    return true;
}

bool ScenarioReader::read_trace(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"interleave_timer_lines"})) return false;
    return read_bool(member(*field.value, field.path, "interleave_timer_lines"),
                     out.interleave_trace);
}

bool ScenarioReader::read_bool(const Field& field, bool& out) {
    if (!field.value) return true;
    if (!field.value->IsBool()) {
        return fail_field(ErrorCode::Malformed, field.path, "true or false",
                          describe(*field.value));
    }
    out = field.value->GetBool();
    return true;
}

bool ScenarioReader::read_string(const Field& field, std::string& out) {
    if (!field.value) return true;
    if (!field.value->IsString()) {
        return fail_field(ErrorCode::Malformed, field.path, "a string", describe(*field.value));
    }
    out = std::string(text_of(*field.value));
    return true;
}

bool ScenarioReader::read_choice(const Field& field,
                                 std::initializer_list<std::string_view> choices,
                                 std::string& out) {
    std::string expected = "one of";
    for (const std::string_view choice : choices) {
        expected += (expected == "one of" ? " " : ", ") + quote(choice);
    }
    if (!field.value->IsString()) {
        return fail_field(ErrorCode::Malformed, field.path, expected, describe(*field.value));
    }
    const std::string_view text = text_of(*field.value);
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
        return fail_field(ErrorCode::OutOfRange, field.path, expected, describe(*field.value));
    }
    out = std::string(text);
    return true;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

/// "line L, column C" of a byte offset, both 1-based, columns counted in bytes.
std::string line_and_column(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    const std::string_view before = text.substr(0, offset);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(),
                                                                     before.end(), '\n'));
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column = line_start == std::string_view::npos ? offset + 1
                                                                    : offset - line_start;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view json_text, const std::string& path) {
    // RapidJSON stops at a NUL byte as if the text ended there; refuse it instead of
    // silently ignoring whatever follows.
    const std::size_t nul = json_text.find('\0');
    if (nul != std::string_view::npos) {
        return make_error(ErrorCode::Malformed,
                          path + ": invalid JSON at offset " + std::to_string(nul) + " (" +
                              line_and_column(json_text, nul) + "): NUL byte in the text.");
    }
    // Iterative parsing: a deeply nested hostile document must not exhaust the stack.
    constexpr unsigned flags = rapidjson::kParseIterativeFlag |
                               rapidjson::kParseValidateEncodingFlag |
                               rapidjson::kParseFullPrecisionFlag;
    rapidjson::Document document;
    document.Parse<flags>(json_text.data(), json_text.size());
    if (document.HasParseError()) {
        const std::size_t offset = document.GetErrorOffset();
        return make_error(ErrorCode::Malformed,
                          path + ": invalid JSON at offset " + std::to_string(offset) + " (" +
                              line_and_column(json_text, offset) +
                              "): " + rapidjson::GetParseError_En(document.GetParseError()));
    }
    return ScenarioReader(path).read(document);
}

Result<Scenario> load_scenario(const std::string& path) {
    const auto cannot_read = [&path](int error_number) {
        return make_error(ErrorCode::NotFound, path + ": cannot read file: " +
                                                   std::generic_category().message(error_number));
    };
    errno = 0;
    const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) return cannot_read(errno);
    std::string text;
    std::array<char, 8192> buffer{};
    while (true) {
        const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get());
        text.append(buffer.data(), got);
        if (text.size() > scenario_file_bytes_max) {
            return make_error(ErrorCode::OutOfRange,
                              path + ": cannot read file: larger than " +
                                  std::to_string(scenario_file_bytes_max) + " bytes");
        }
        if (got < buffer.size()) break;
    }
    // fread reports errors (EISDIR for a directory, EIO) only through ferror and errno.
    if (std::ferror(file.get())) return cannot_read(errno != 0 ? errno : EIO);
    return parse_scenario(text, path);
}

}  // namespace raftlink::sim
