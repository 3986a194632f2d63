// SPDX-License-Identifier: MIT
// Loading the fault timeline ("faults") and the random fault mix ("random_faults"); the
// format is in sim/scenarios/README.md.
#include <algorithm>
#include <string>
#include <vector>

#include "io/sim/scenario_reader.h"

namespace raftlink::sim {

std::string_view fault_kind_name(FaultKind kind) {
    switch (kind) {
        case FaultKind::Crash: return "crash";
        case FaultKind::Restart: return "restart";
        case FaultKind::Partition: return "partition";
        case FaultKind::Isolate: return "isolate";
        case FaultKind::OneWay: return "one_way";
        case FaultKind::Bridge: return "bridge";
        case FaultKind::Heal: return "heal";
        case FaultKind::Pause: return "pause";
        case FaultKind::Corrupt: return "corrupt";
    }
    return "?";
}

namespace detail {

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
    if (!field.value->IsObject()) {
        return fail_field(ErrorCode::Malformed, field.path, "an object", describe(*field.value));
    }
    const Value& fault = *field.value;
    const Field kind = member(fault, field.path, "kind");
    std::string kind_name;
    if (!require(kind) ||
        !read_choice(kind, {"crash", "restart", "partition", "isolate", "one_way", "bridge",
                            "heal", "pause", "corrupt"},
                     kind_name)) {
        return false;
    }
    for (std::size_t k = 0; k < fault_kind_count; ++k) {
        if (fault_kind_name(static_cast<FaultKind>(k)) == kind_name) {
            out.kind = static_cast<FaultKind>(k);
        }
    }
    // Each kind has its own parameters; a parameter of another kind is unknown here.
    bool fields_known = false;
    switch (out.kind) {
        case FaultKind::Partition:
            fields_known = check_object(field, {"at_ms", "kind", "groups"});
            break;
        case FaultKind::OneWay:
            fields_known = check_object(field, {"at_ms", "kind", "from", "to"});
            break;
        case FaultKind::Heal: fields_known = check_object(field, {"at_ms", "kind"}); break;
        case FaultKind::Pause:
            fields_known = check_object(field, {"at_ms", "kind", "node", "duration_ms"});
            break;
        default: fields_known = check_object(field, {"at_ms", "kind", "node"}); break;
    }
    const Field at = member(fault, field.path, "at_ms");
    const TimeBounds bounds{.max = scenario.duration, .max_note = " (duration_ms)"};
    return fields_known && require(at) &&
           read_time_pair(at, bounds, true, out.at.min, out.at.max) &&
           read_fault_fields(field, scenario, out);
}

/// The kind-specific fields of a fault whose kind and time are read.
bool ScenarioReader::read_fault_fields(const Field& field, const Scenario& scenario,
                                       Fault& out) {
    const Value& fault = *field.value;
    switch (out.kind) {
        case FaultKind::Heal: return true;
        case FaultKind::Partition:
            return read_groups(member(fault, field.path, "groups"), scenario, out);
        case FaultKind::OneWay: {
            const Field from = member(fault, field.path, "from");
            const Field to = member(fault, field.path, "to");
            if (!read_target(from, scenario, out.kind, out.target) ||
                !read_target(to, scenario, out.kind, out.to)) {
                return false;
            }
            const bool same = out.target.kind == out.to.kind &&
                              (out.target.kind == FaultTarget::Kind::Leader ||
                               out.target.node == out.to.node);
            if (!same) return true;
            return fail_field(ErrorCode::OutOfRange, to.path,
                              "a node other than \"from\" (" + describe(*from.value) + ")",
                              describe(*to.value));
        }
        case FaultKind::Pause: {
            const Field duration = member(fault, field.path, "duration_ms");
            const TimeBounds bounds{.min = ms(1), .max = scenario.duration,
                                    .max_note = " (duration_ms of the scenario)"};
            return read_target(member(fault, field.path, "node"), scenario, out.kind,
                               out.target) &&
                   require(duration) &&
                   read_time_pair(duration, bounds, true, out.duration.min, out.duration.max);
        }
        default:
            return read_target(member(fault, field.path, "node"), scenario, out.kind, out.target);
    }
}

/// "groups": [[1, 2], [3]]: disjoint non-empty groups of node ids; unlisted nodes form one
/// more group. The groups must split the cluster, or the partition would cut nothing.
bool ScenarioReader::read_groups(const Field& field, const Scenario& scenario, Fault& out) {
    if (!require(field)) return false;
    const std::string expected = "an array of groups, each an array of node ids";
    if (!field.value->IsArray() || field.value->Empty()) {
        return fail_field(ErrorCode::Malformed, field.path, expected, describe(*field.value));
    }
    const Value& groups = *field.value;
    std::vector<bool> listed(scenario.node_count + 1, false);
    std::size_t listed_count = 0;
    for (rapidjson::SizeType g = 0; g < groups.Size(); ++g) {
        const Field group{&groups[g], join(field.path, g)};
        if (!groups[g].IsArray() || groups[g].Empty()) {
            return fail_field(ErrorCode::Malformed, group.path, "a non-empty array of node ids",
                              describe(groups[g]));
        }
        std::vector<std::uint64_t> ids;
        for (rapidjson::SizeType i = 0; i < groups[g].Size(); ++i) {
            const Field id_field{&groups[g][i], join(group.path, i)};
            std::uint64_t id = 0;
            if (!read_node_id(id_field, scenario, id)) return false;
            if (listed[id]) {
                return fail_field(ErrorCode::OutOfRange, id_field.path,
                                  "a node id not already in a group", describe(groups[g][i]));
            }
            listed[id] = true;
            ++listed_count;
            ids.push_back(id);
        }
        out.groups.push_back(std::move(ids));
    }
    const std::size_t group_count = out.groups.size() + (listed_count < scenario.node_count);
    if (group_count < 2) {
        return fail_field(ErrorCode::OutOfRange, field.path,
                          "groups that split the " + std::to_string(scenario.node_count) +
                              " nodes in two or more",
                          "one group of all nodes");
    }
    return true;
}

/// A fault's node: an id, "leader" (all but corrupt) or "crashed" (restart only).
bool ScenarioReader::read_target(const Field& field, const Scenario& scenario, FaultKind kind,
                                 FaultTarget& out) {
    if (!require(field)) return false;
    const Value& node = *field.value;
    const bool restart = kind == FaultKind::Restart;
    const bool leader_allowed = kind != FaultKind::Corrupt;
    const std::string expected = "a node id 1.." + std::to_string(scenario.node_count) +
                                 (leader_allowed ? ", \"leader\"" : "") +
                                 (restart ? " or \"crashed\"" : "");
    if (node.IsString()) {
        const std::string_view name = text_of(node);
        if (name == "leader" && leader_allowed) {
            out = FaultTarget{.kind = FaultTarget::Kind::Leader};
            return true;
        }
        if (name == "crashed" && restart) {
            out = FaultTarget{.kind = FaultTarget::Kind::Crashed};
            return true;
        }
        // Only a restart has a crashed node to pick; say so rather than just "unknown".
        const std::string hint = name == "crashed" ? " (\"crashed\" is only for kind restart)"
                                 : name == "leader" ? " (\"leader\" is not for kind corrupt)"
                                                    : "";
        return fail_field(ErrorCode::OutOfRange, field.path, expected + hint, describe(node));
    }
    if (!node.IsNumber()) return fail_field(ErrorCode::Malformed, field.path, expected,
                                            describe(node));
    if (!node.IsUint64() || node.GetUint64() < 1 || node.GetUint64() > scenario.node_count) {
        const bool integer = node.IsInt64() || node.IsUint64();
        return fail_field(integer ? ErrorCode::OutOfRange : ErrorCode::Malformed,
                          field.path, expected, describe(node));
    }
    out = FaultTarget{.kind = FaultTarget::Kind::Node, .node = node.GetUint64()};
    return true;
}

bool ScenarioReader::read_node_id(const Field& field, const Scenario& scenario,
                                  std::uint64_t& out) {
    const Value& node = *field.value;
    const std::string expected = "a node id 1.." + std::to_string(scenario.node_count);
    if (!node.IsNumber()) {
        return fail_field(ErrorCode::Malformed, field.path, expected, describe(node));
    }
    if (!node.IsUint64() || node.GetUint64() < 1 || node.GetUint64() > scenario.node_count) {
        const bool integer = node.IsInt64() || node.IsUint64();
        return fail_field(integer ? ErrorCode::OutOfRange : ErrorCode::Malformed, field.path,
                          expected, describe(node));
    }
    out = node.GetUint64();
    return true;
}

bool ScenarioReader::read_random_faults(const Field& field, Scenario& out) {
    if (!field.value) return true;
    if (!check_object(field, {"from_ms", "until_ms", "rates_per_s", "down_ms", "heal_ms",
                              "pause_ms", "allow_quorum_loss"})) {
        return false;
    }
    const Value& random = *field.value;
    RandomFaults& into = out.random_faults;
    into.enabled = true;
    const TimeBounds from_bounds{.max = out.duration, .max_note = " (duration_ms)"};
    const Field until = member(random, field.path, "until_ms");
    if (!read_time(member(random, field.path, "from_ms"), from_bounds, into.from) ||
        !require(until)) {
        return false;
    }
    const TimeBounds until_bounds{.min = into.from, .max = out.duration, .min_note = " (from_ms)",
                                  .max_note = " (duration_ms)"};
    const TimeBounds span_bounds{.min = ms(1), .max = out.duration,
                                 .max_note = " (duration_ms)"};
    return read_time(until, until_bounds, into.until) &&
           read_rates(member(random, field.path, "rates_per_s"), into) &&
           read_time_pair(member(random, field.path, "down_ms"), span_bounds, true,
                          into.down.min, into.down.max) &&
           read_time_pair(member(random, field.path, "heal_ms"), span_bounds, true,
                          into.heal.min, into.heal.max) &&
           read_time_pair(member(random, field.path, "pause_ms"), span_bounds, true,
                          into.pause.min, into.pause.max) &&
           read_bool(member(random, field.path, "allow_quorum_loss"), into.allow_quorum_loss);
}

bool ScenarioReader::read_rates(const Field& field, RandomFaults& out) {
    if (!field.value) return true;
    if (!check_object(field, {"crash", "partition", "isolate", "one_way", "bridge", "pause",
                              "corrupt"})) {
        return false;
    }
    for (const FaultKind kind : random_fault_kinds) {
        const Field rate = member(*field.value, field.path, fault_kind_name(kind));
        if (!rate.value) continue;
        const std::string expected =
            "a number of faults per second in 0.." + format_number(fault_rate_per_s_max);
        if (!rate.value->IsNumber()) {
            return fail_field(ErrorCode::Malformed, rate.path, expected, describe(*rate.value));
        }
        const double per_s = rate.value->GetDouble();
        if (!(per_s >= 0.0 && per_s <= fault_rate_per_s_max)) {
            return fail_field(ErrorCode::OutOfRange, rate.path, expected, describe(*rate.value));
        }
        out.rates_per_s[static_cast<std::size_t>(kind)] = per_s;
    }
    return true;
}

}  // namespace detail
}  // namespace raftlink::sim
