// SPDX-License-Identifier: MIT
// Turns the nodes' trace lines into the seed's format,
//   2023-02-08 20:02:08.350 [1] Election timer expired
// with virtual time shown as wall time from the scenario's epoch, so a trace is reproducible
// byte for byte.
//
// Lines are buffered per event and written when the event ends. When `interleave` is on, the
// first election timer line of a step moves to a seeded random place among the step's lines
// that it raced with, as the seed's goroutines did (see core/raft/trace_line.h).
// The printer also hashes everything it writes and keeps the last lines for failure reports.
//
// A disabled printer drops every line unformatted (sweeps, which print no trace): the run is
// the same, only its trace hash, line count and tail stay empty. The nodes are then built
// with raft::Config::trace_enabled off, so that they do not produce the lines at all.
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/hash.h"
#include "core/prng.h"
#include "io/sim/event_loop.h"

namespace raftlink::sim {

/// "YYYY-MM-DD HH:MM:SS.mmm" for a millisecond count since the Unix epoch (UTC).
std::string format_timestamp(std::int64_t unix_ms);

class TracePrinter final : public Observer {
public:
    /// `out` may be null (no output; hash and tail are still kept). With `enabled` false every
    /// line is dropped and `out` is never written.
    TracePrinter(const EventLoop& loop, std::int64_t epoch_unix_ms, bool interleave, Prng prng,
                 std::ostream* out, bool enabled = true);

    bool enabled() const { return enabled_; }

    void on_trace(NodeId node, const raft::TraceLine& line) override;
    /// A line of the simulator itself (faults, checks), shown with "[sim]" for the node.
    void sim_line(const std::string& text);
    /// Writes the lines buffered during the current event. Call after every event.
    void flush();

    std::uint64_t hash() const { return hash_; }
    std::uint64_t lines() const { return lines_; }
    /// The last lines written (at most tail_lines_max), oldest first.
    const std::deque<std::string>& tail() const { return tail_; }
    static constexpr std::size_t tail_lines_max = 50;

private:
    struct Pending {
        NodeId node;
        raft::TraceLine line;
    };
    void write(const std::string& text);
    void flush_step(std::vector<Pending>& step);
    /// The timestamp of the current event, formatted once per millisecond of virtual time.
    const std::string& stamp();

    const EventLoop& loop_;
    std::int64_t epoch_unix_ms_;
    bool interleave_;
    Prng prng_;
    std::ostream* out_;
    bool enabled_;
    std::vector<Pending> pending_;
    std::uint64_t hash_ = fnv1a64_offset;
    std::uint64_t lines_ = 0;
    std::deque<std::string> tail_;
    std::int64_t stamp_ms_ = -1;  // the millisecond stamp_text_ shows, -1 before the first
    std::string stamp_text_;
    std::vector<Pending> step_;   // one node's lines of the event being flushed (reused)
};

}  // namespace raftlink::sim
