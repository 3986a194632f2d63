// SPDX-License-Identifier: MIT
// Vocabulary types shared by every part of the core.
//
// Term, LogIndex and NodeId are distinct strong types: the compiler refuses to mix them up
// (etcd and LogCabin use bare uint64 for all three, and every such mix-up is a silent bug).
// Time is continuous: `Nanos` counts nanoseconds on a monotonic clock whose origin the
// environment chooses (virtual time zero in the simulator, process start in the node).
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace raftlink {

/// A monotonic instant or a duration, in nanoseconds.
using Nanos = std::int64_t;

constexpr Nanos nanos_per_ms = 1'000'000;
constexpr Nanos ms(std::int64_t milliseconds) { return milliseconds * nanos_per_ms; }

/// Raw bytes: log entry payloads, snapshots, encoded messages.
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// A 64-bit value with a tag so that values of different meanings never convert into each
/// other. Comparison is by value; arithmetic is limited to what the protocol needs.
template <typename Tag>
struct Strong {
    std::uint64_t value = 0;

    constexpr Strong() = default;
    constexpr explicit Strong(std::uint64_t v) : value(v) {}
    constexpr auto operator<=>(const Strong&) const = default;
};

struct TermTag {};
struct NodeIdTag {};

/// A Raft term (§5.1). Term 0 is the term before any election.
using Term = Strong<TermTag>;

/// A node's id within the cluster; ids start at 1, 0 means "none".
using NodeId = Strong<NodeIdTag>;

/// A position in the replicated log. Index 0 is the empty prefix; the first entry is 1.
struct LogIndex : Strong<struct LogIndexTag> {
    using Strong::Strong;
    constexpr LogIndex operator+(std::uint64_t count) const { return LogIndex(value + count); }
    constexpr LogIndex operator-(std::uint64_t count) const { return LogIndex(value - count); }
    constexpr auto operator<=>(const LogIndex&) const = default;
};

constexpr NodeId no_node{0};

template <typename Tag>
std::ostream& operator<<(std::ostream& out, const Strong<Tag>& strong) {
    return out << strong.value;
}

}  // namespace raftlink
