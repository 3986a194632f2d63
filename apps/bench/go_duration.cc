// SPDX-License-Identifier: MIT
#include "apps/bench/go_duration.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace raftlink::bench {
namespace {

/// Go's formatting buffer: digits are written from the end towards the front.
class BackwardBuffer {
public:
    void put(char c) { bytes_[--position_] = c; }
    void put(std::string_view text) {
        for (auto it = text.rbegin(); it != text.rend(); ++it) put(*it);
    }
    /// Go's fmtFrac: the fraction of value / 10^precision without trailing zeros (and without
    /// the point when it is zero). Returns value / 10^precision.
    std::uint64_t put_fraction(std::uint64_t value, int precision) {
        bool printed = false;
        for (int i = 0; i < precision; ++i) {
            const auto digit = static_cast<char>('0' + value % 10);
            printed = printed || digit != '0';
            if (printed) put(digit);
            value /= 10;
        }
        if (printed) put('.');
        return value;
    }
    /// Go's fmtInt.
    void put_integer(std::uint64_t value) {
        do {
            put(static_cast<char>('0' + value % 10));
            value /= 10;
        } while (value > 0);
    }
    std::string text() const { return std::string(bytes_ + position_, bytes_ + sizeof bytes_); }

private:
    /// Go's bound: the longest duration, "-2562047h47m16.854775808s", fits in 32 bytes.
    char bytes_[32] = {};
    std::size_t position_ = sizeof bytes_;
};

}  // namespace

std::string format_go_duration(DurationNs duration) {
    const bool negative = duration < 0;
    // NB: the magnitude of INT64_MIN does not fit an int64, so negate in unsigned arithmetic.
    std::uint64_t magnitude = static_cast<std::uint64_t>(duration);
    if (negative) magnitude = ~magnitude + 1;
    if (magnitude == 0) return "0s";
    BackwardBuffer out;
    out.put('s');
    if (magnitude < static_cast<std::uint64_t>(second)) {
        int precision = 0;
        if (magnitude < static_cast<std::uint64_t>(microsecond)) {
            out.put('n');
        } else if (magnitude < static_cast<std::uint64_t>(millisecond)) {
            out.put("\u00b5");  // the micro sign, as Go prints it
            precision = 3;
        } else {
            out.put('m');
            precision = 6;
        }
        out.put_integer(out.put_fraction(magnitude, precision));
    } else {
        magnitude = out.put_fraction(magnitude, 9);
        out.put_integer(magnitude % 60);
        magnitude /= 60;
        if (magnitude > 0) {
            out.put('m');
            out.put_integer(magnitude % 60);
            magnitude /= 60;
            if (magnitude > 0) {
                out.put('h');
                out.put_integer(magnitude);
            }
        }
    }
    if (negative) out.put('-');
    return out.text();
}

DurationNs round_go_duration(DurationNs duration, DurationNs multiple) {
    if (multiple <= 0) return duration;
    DurationNs remainder = duration % multiple;
    if (duration < 0) {
        remainder = -remainder;
        if (remainder + remainder < multiple) return duration + remainder;
        const DurationNs rounded = duration - multiple + remainder;
        return rounded < duration ? rounded : std::numeric_limits<DurationNs>::min();
    }
    if (remainder + remainder < multiple) return duration - remainder;
    const DurationNs rounded = duration + multiple - remainder;
    return rounded > 0 ? rounded : std::numeric_limits<DurationNs>::max();
}

DurationNs round_like_vegeta(DurationNs duration) {
    // vegeta's table of units, largest first; the last (µs) is never a rounding target's source.
    constexpr DurationNs units[] = {hour, minute, second, millisecond, microsecond};
    constexpr std::size_t unit_count = sizeof(units) / sizeof(units[0]);
    for (std::size_t i = 0; i + 1 < unit_count; ++i) {
        if (duration >= units[i]) return round_go_duration(duration, units[i + 1]);
    }
    return duration;
}

std::string format_vegeta_duration(DurationNs duration) {
    return format_go_duration(round_like_vegeta(duration));
}

std::optional<DurationNs> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const std::string copy(text);
    // A plain number means seconds, the unit people type most.
    char* end = nullptr;
    const double plain = std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() + copy.size()) {
        if (!std::isfinite(plain) || plain < 0 || plain > 1e9) return std::nullopt;
        return static_cast<DurationNs>(std::llround(plain * 1e9));
    }
    struct Unit {
        std::string_view suffix;
        DurationNs length;
    };
    // Longer suffixes first, so that "ms" is not read as "m" followed by "s".
    constexpr Unit units[] = {{"ns", nanosecond},
                              {"us", microsecond},
                              {"\u00b5s", microsecond},
                              {"\u03bcs", microsecond},
                              {"ms", millisecond},
                              {"s", second},
                              {"m", minute},
                              {"h", hour}};
    double total = 0;
    std::size_t position = 0;
    while (position < copy.size()) {
        const char* start = copy.c_str() + position;
        const double number = std::strtod(start, &end);
        if (end == start || *start == '-' || *start == '+' || !std::isfinite(number)) {
            return std::nullopt;
        }
        position = static_cast<std::size_t>(end - copy.c_str());
        const std::string_view rest = std::string_view(copy).substr(position);
        const Unit* matched = nullptr;
        for (const Unit& unit : units) {
            if (rest.substr(0, unit.suffix.size()) == unit.suffix) {
                matched = &unit;
                break;
            }
        }
        if (matched == nullptr) return std::nullopt;
        total += number * static_cast<double>(matched->length);
        position += matched->suffix.size();
    }
    if (total < 0 || total > 9e18) return std::nullopt;
    return static_cast<DurationNs>(std::llround(total));
}

}  // namespace raftlink::bench
