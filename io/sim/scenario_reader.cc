// SPDX-License-Identifier: MIT
// The typed field readers of the scenario loader: each checks one JSON value against its
// documented type and bounds and, on a mismatch, records an Error naming the file, the field
// and what was expected and found.
#include "io/sim/scenario_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace raftlink::sim::detail {

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


Field member(const Value& object, const std::string& parent, std::string_view key) {
    Field field{nullptr, join(parent, key)};
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        if (text_of(it->name) == key) field.value = &it->value;
    }
    return field;
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

bool ScenarioReader::read_ratio(const Field& field, double& out, double max) {
    if (!field.value) return true;
    const Value& value = *field.value;
    if (!value.IsNumber()) {
        return fail_field(ErrorCode::Malformed, field.path, "a number", describe(value));
    }
    const double ratio = value.GetDouble();
    if (!(ratio >= 0.0 && ratio <= max)) {
        return fail_field(ErrorCode::OutOfRange, field.path, "a number in 0.." + format_number(max),
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
        expected += expected == "one of" ? " " : ", ";
        expected += quote(choice);
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

}  // namespace raftlink::sim::detail
