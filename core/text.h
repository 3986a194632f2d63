// SPDX-License-Identifier: MIT
// String building for trace lines and error messages, without iostream state leaking out.
#pragma once

#include <charconv>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/types.h"

namespace raftlink {
namespace detail {

template <typename Tag>
std::true_type is_strong_test(const Strong<Tag>*);
std::false_type is_strong_test(...);

/// Strong<Tag> or a type derived from it (LogIndex): printed as its value.
template <typename T>
inline constexpr bool is_strong = decltype(is_strong_test(static_cast<const T*>(nullptr)))::value;

/// Integers that operator<< prints as decimal numbers: not bool, not the character types
/// (std::uint8_t is unsigned char, which a stream prints as a character).
template <typename T>
inline constexpr bool is_decimal_integer =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
    !std::is_same_v<T, signed char> && !std::is_same_v<T, unsigned char> &&
    !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char8_t> &&
    !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>;

template <typename T>
inline constexpr bool is_char_array =
    std::is_array_v<T> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>;

/// The parts concat appends directly, with exactly the text operator<< would produce under
/// the classic locale and default flags; any other part sends the whole call through a stream.
template <typename T>
inline constexpr bool is_plain_part =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
    std::is_same_v<T, const char*> || std::is_same_v<T, char*> || is_char_array<T> ||
    std::is_same_v<T, char> || is_decimal_integer<T> || is_strong<T>;

/// An upper bound on what append_plain adds for `part`, to reserve once.
template <typename T>
std::size_t plain_bytes_max(const T& part) {
    if constexpr (is_strong<T> || is_decimal_integer<T>) {
        return 20;  // the digits of a 64-bit integer, or 19 and a minus sign
    } else if constexpr (std::is_same_v<T, char>) {
        return 1;
    } else if constexpr (is_char_array<T>) {
        return sizeof(T);  // up to its NUL, which is within the array
    } else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
        return std::char_traits<char>::length(part);
    } else {
        return part.size();
    }
}

template <typename T>
void append_plain(std::string& out, const T& part) {
    if constexpr (is_strong<T>) {
        append_plain(out, part.value);
    } else if constexpr (is_decimal_integer<T>) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, part).ptr;
        out.append(digits, end);
    } else if constexpr (std::is_same_v<T, char>) {
        out.push_back(part);
    } else if constexpr (is_char_array<T> || std::is_same_v<T, const char*> ||
                         std::is_same_v<T, char*>) {
        // As a stream prints a C string: up to its terminating NUL.
        out.append(static_cast<const char*>(part));
    } else {
        out.append(part);
    }
}

}  // namespace detail

/// Concatenates the textual form of each argument (as operator<< prints it). Strings,
/// characters, integers and the strong ids are appended directly: trace lines are built on
/// every step of every node, and a stream's construction (locale, facets) costs far more
/// than the text. Anything else (doubles, manipulators) goes through one ostringstream.
template <typename... Parts>
std::string concat(const Parts&... parts) {
    if constexpr ((detail::is_plain_part<Parts> && ...)) {
        std::string out;
        out.reserve((std::size_t{0} + ... + detail::plain_bytes_max(parts)));
        (detail::append_plain(out, parts), ...);
        return out;
    } else {
        std::ostringstream out;
        (out << ... << parts);
        return out.str();
    }
}

/// Appends the textual form of each part to `out`, as concat() writes it, for a caller that
/// rewrites the tail of a string it keeps. Strings, characters, integers and strong ids only.
template <typename... Parts>
void append_text(std::string& out, const Parts&... parts) {
    static_assert((detail::is_plain_part<Parts> && ...), "append_text takes plain parts only");
    (detail::append_plain(out, parts), ...);
}

namespace detail {

/// A part of concat_lazy: a callable's result, or the part itself.
template <typename Part>
decltype(auto) evaluated(const Part& part) {
    if constexpr (std::is_invocable_v<const Part&>) {
        return part();
    } else {
        return (part);
    }
}

}  // namespace detail

/// concat() whose parts may also be callables returning a part, called only here: a caller
/// that builds text only sometimes (trace lines while tracing is on) passes a costly
/// description as a lambda, so that it is not computed when the text is not wanted.
template <typename... Parts>
std::string concat_lazy(const Parts&... parts) {
    return concat(detail::evaluated(parts)...);
}

/// A duration in milliseconds with three decimals, e.g. 5243.112 (the trace's timeout format).
inline std::string format_millis(Nanos duration) {
    const std::int64_t micros = duration / 1000;
    std::string fraction = std::to_string(micros % 1000);
    fraction.insert(0, 3 - fraction.size(), '0');
    return std::to_string(micros / 1000) + "." + fraction;
}

}  // namespace raftlink
