// SPDX-License-Identifier: MIT
// Strict loading of scenario JSON (format in scenario.h). A ScenarioReader walks the parsed
// document section by section; the first problem found becomes the Error, so that the message
// points at one field with what was expected and what was found. Every check is a value
// comparison: no input can make the loader assert, throw or recurse without bound. The fault
// sections are read in scenario_faults.cc, single fields in scenario_reader.cc.
#include "io/sim/scenario.h"

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

#include "io/sim/scenario_reader.h"

namespace raftlink::sim {
namespace detail {
namespace {

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

}  // namespace

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
                            "boot", "network", "disk", "clocks", "trace", "workload", "faults",
                            "random_faults", "checks"})) {
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
           read_network(member(root, "", "network"), out) &&
           read_disk(member(root, "", "disk"), out) &&
           read_clocks(member(root, "", "clocks"), out) &&
           read_trace(member(root, "", "trace"), out) &&
           read_workload(member(root, "", "workload"), out) &&
           read_faults(member(root, "", "faults"), out) &&
           read_random_faults(member(root, "", "random_faults"), out) &&
           read_checks(member(root, "", "checks"), out);
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
                              "commit_timeout_ms", "pre_vote", "check_quorum",
                              "entries_per_append_max", "inflight_appends_max",
                              "replicate_on_heartbeat_only"})) {
        return false;
    }
    const Value& raft = *field.value;
    const Field heartbeat = member(raft, field.path, "heartbeat_ms");
    if (!read_time_pair(member(raft, field.path, "election_timeout_ms"), {.min = ms(1)}, false,
                        out.election_timeout_min, out.election_timeout_max) ||
        !read_time(heartbeat, {.min = ms(1)}, out.heartbeat_interval) ||
        !read_time(member(raft, field.path, "debug_addend_ms"), {}, out.debug_addend) ||
        !read_time(member(raft, field.path, "commit_timeout_ms"), {.min = ms(1)},
                   out.commit_timeout) ||
        !read_bool(member(raft, field.path, "pre_vote"), out.pre_vote) ||
        !read_bool(member(raft, field.path, "check_quorum"), out.check_quorum) ||
        !read_integer(member(raft, field.path, "entries_per_append_max"), 1, 4096,
                      out.entries_per_append_max) ||
        !read_integer(member(raft, field.path, "inflight_appends_max"), 1, 1024,
                      out.inflight_appends_max) ||
        !read_bool(member(raft, field.path, "replicate_on_heartbeat_only"),
                   out.replicate_on_heartbeat_only)) {
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

bool ScenarioReader::read_network(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"latency", "links", "loss_ratio", "duplicate_ratio"})) return false;
    const Value& network = *field.value;
    return read_latency(member(network, field.path, "latency"), out.network_latency) &&
           read_links(member(network, field.path, "links"), out) &&
           read_ratio(member(network, field.path, "loss_ratio"), out.loss_ratio) &&
           read_ratio(member(network, field.path, "duplicate_ratio"), out.duplicate_ratio);
}

bool ScenarioReader::read_links(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!field.value->IsArray()) {
        return fail_field(ErrorCode::Malformed, field.path,
                          "an array of {\"from\", \"to\", \"latency\"} objects",
                          describe(*field.value));
    }
    const Value& links = *field.value;
    for (rapidjson::SizeType i = 0; i < links.Size(); ++i) {
        LinkLatency link;
        const Field entry{&links[i], join(field.path, i)};
        if (!read_link(entry, out, link)) return false;
        for (const LinkLatency& earlier : out.link_latencies) {
            if (earlier.from == link.from && earlier.to == link.to) {
                return fail_field(ErrorCode::OutOfRange, entry.path,
                                  "a link not given before",
                                  "a second link " + std::to_string(link.from) + " -> " +
                                      std::to_string(link.to));
            }
        }
        out.link_latencies.push_back(link);
    }
    return true;
}

bool ScenarioReader::read_link(const Field& field, const Scenario& scenario, LinkLatency& out) {
    if (!check_object(field, {"from", "to", "latency"})) return false;
    const Value& link = *field.value;
    const Field from = member(link, field.path, "from");
    const Field to = member(link, field.path, "to");
    const Field latency = member(link, field.path, "latency");
    if (!require(from) || !read_node_id(from, scenario, out.from) || !require(to) ||
        !read_node_id(to, scenario, out.to)) {
        return false;
    }
    if (out.to == out.from) {
        return fail_field(ErrorCode::OutOfRange, to.path,
                          "a node other than \"from\" (" + std::to_string(out.from) + ")",
                          describe(*to.value));
    }
    return require(latency) && read_latency(latency, out.latency);
}

bool ScenarioReader::read_disk(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"fsync", "torn_write_ratio"})) return false;
    const Value& disk = *field.value;
    return read_latency(member(disk, field.path, "fsync"), out.fsync_latency) &&
           read_ratio(member(disk, field.path, "torn_write_ratio"), out.torn_write_ratio);
}

bool ScenarioReader::read_clocks(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"drift_ratio_max"})) return false;
    return read_ratio(member(*field.value, field.path, "drift_ratio_max"), out.drift_ratio_max,
                      drift_ratio_max);
}

bool ScenarioReader::read_checks(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"liveness_bound_ms"})) return false;
    const TimeBounds bounds{.max = out.duration, .max_note = " (duration_ms)"};
    return read_time(member(*field.value, field.path, "liveness_bound_ms"), bounds,
                     out.liveness_bound);
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
                              "linearizable_ratio", "request_timeout_ms", "url_bytes",
                              "sticky_leader"})) {
        return false;
    }
    const Value& workload = *field.value;
    WorkloadSpec& into = out.workload;
    const TimeBounds start_bounds{.max = out.duration, .max_note = " (duration_ms)"};
    return read_integer(member(workload, field.path, "clients"), 0, clients_max, into.clients) &&
           read_time(member(workload, field.path, "start_ms"), start_bounds, into.start_at) &&
           read_latency(member(workload, field.path, "think_time"), into.think_time) &&
           read_ratio(member(workload, field.path, "resolve_ratio"), into.resolve_ratio) &&
           read_ratio(member(workload, field.path, "linearizable_ratio"),
                      into.linearizable_ratio) &&
           read_time(member(workload, field.path, "request_timeout_ms"), {.min = ms(1)},
                     into.request_timeout) &&
           read_integer(member(workload, field.path, "url_bytes"), url_bytes_min, url_bytes_max,
                        into.url_bytes) &&
           read_bool(member(workload, field.path, "sticky_leader"), into.sticky_leader);
}


}  // namespace detail

namespace {

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
    return detail::ScenarioReader(path).read(document);
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
        if (text.size() > detail::scenario_file_bytes_max) {
            return make_error(ErrorCode::OutOfRange,
                              path + ": cannot read file: larger than " +
                                  std::to_string(detail::scenario_file_bytes_max) + " bytes");
        }
        if (got < buffer.size()) break;
    }
    // fread reports errors (EISDIR for a directory, EIO) only through ferror and errno.
    if (std::ferror(file.get())) return cannot_read(errno != 0 ? errno : EIO);
    return parse_scenario(text, path);
}

}  // namespace raftlink::sim
