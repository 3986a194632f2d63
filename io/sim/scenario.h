// SPDX-License-Identifier: MIT
// A simulation scenario: the cluster, its timing, the network and disk models, the workload and
// the fault timeline, loaded from a JSON file under sim/scenarios/ (format in
// sim/scenarios/README.md).
//
// Loading is strict: an unknown field, a value of the wrong type or out of range is an Error
// whose message names the file, the field (as a dotted path) and what was expected. Nothing is
// silently defaulted except fields that are absent, whose defaults are documented here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace raftlink::sim {

/// A latency distribution. JSON forms:
///   {"distribution": "fixed", "ms": 1}
///   {"distribution": "uniform", "min_ms": 1, "max_ms": 3}
///   {"distribution": "exponential", "min_ms": 0.5, "mean_ms": 2}   (min + exponential(mean))
/// Milliseconds may be fractional; all values >= 0 and <= 3,600,000; min <= max.
struct LatencyModel {
    enum class Kind { Fixed, Uniform, Exponential };
    Kind kind = Kind::Fixed;
    Nanos fixed = 0;   // Fixed
    Nanos min = 0;     // Uniform and Exponential
    Nanos max = 0;     // Uniform
    Nanos mean = 0;    // Exponential (> 0)
};

/// A time that is either fixed ("at_ms": 3000) or drawn per seed from a range
/// ("at_ms": [2000, 4000], both ends included).
struct TimeRange {
    Nanos min = 0;
    Nanos max = 0;
};

/// Every fault the simulator can inject (sim/scenarios/README.md, "Faults").
enum class FaultKind {
    Crash,      // the process dies; unsynced writes are lost, the last one may tear
    Restart,    // the process boots again from its disk (and refuses to if it is corrupt)
    Partition,  // symmetric: nodes in different groups cannot talk
    Isolate,    // one node cut off in both directions
    OneWay,     // messages from one node to another are dropped, the reverse still flows
    Bridge,     // the others split in two halves that cannot talk; the bridge talks to both
    Heal,       // removes every cut
    Pause,      // the process is stopped for a while; its inputs are held, then delivered
    Corrupt,    // a bit flips in a durable record of the node's disk
};
inline constexpr std::size_t fault_kind_count = 9;

/// The JSON name of a kind, e.g. "one_way".
std::string_view fault_kind_name(FaultKind kind);

/// Whom a fault hits. JSON: a node id (1..nodes), "leader" (the node that is leader at that
/// moment, or no-op with a trace line if there is none), or "crashed" (for restart: the node
/// crashed longest ago that is still down).
struct FaultTarget {
    enum class Kind { Node, Leader, Crashed };
    Kind kind = Kind::Node;
    std::uint64_t node = 0;  // Kind::Node only, 1-based
};

/// One entry of the explicit timeline, e.g. {"at_ms": 3000, "kind": "crash", "node": "leader"}.
struct Fault {
    TimeRange at;
    FaultKind kind = FaultKind::Crash;
    /// "node" of crash, restart, isolate, bridge, pause and corrupt; "from" of one_way.
    FaultTarget target;
    FaultTarget to;                                  // "to" of one_way
    std::vector<std::vector<std::uint64_t>> groups;  // "groups" of partition, 1-based ids
    TimeRange duration;                              // "duration_ms" of pause (a range)
};

/// A directional latency override: {"from": 1, "to": 2, "latency": {...}}.
struct LinkLatency {
    std::uint64_t from = 0;  // 1-based
    std::uint64_t to = 0;
    LatencyModel latency;
};

/// "random_faults": a fault mix drawn from the seed between `from` and `until`, then a
/// healing phase (sim/scenarios/README.md).
struct RandomFaults {
    bool enabled = false;                  // the section is present
    Nanos from = 0;                        // "from_ms"
    Nanos until = 0;                       // "until_ms": the healing phase starts here
    /// "rates_per_s": mean faults per second of each kind, indexed by FaultKind; restart and
    /// heal are not drawn (they follow crashes and cuts), so their rates stay 0.
    std::array<double, fault_kind_count> rates_per_s{};
    TimeRange down{ms(200), ms(1000)};     // "down_ms": how long a crashed node stays down
    TimeRange heal{ms(200), ms(1000)};     // "heal_ms": how long a cut lasts
    TimeRange pause{ms(50), ms(1000)};     // "pause_ms": how long a pause lasts
    /// "allow_quorum_loss": when false (the default) at most a minority of nodes is out at
    /// once, counting down nodes and nodes whose disk was corrupted.
    bool allow_quorum_loss = false;
};

/// Simulated clients. JSON object "workload"; absent = no clients.
struct WorkloadSpec {
    std::uint64_t clients = 0;             // "clients": 0..64
    Nanos start_at = 0;                    // "start_ms": when clients begin, default 0
    LatencyModel think_time;               // "think_time": pause between a client's requests
    double resolve_ratio = 0.5;            // "resolve_ratio": 0..1, share of requests that read
    /// "linearizable_ratio": 0..1, share of reads made with linearizable consistency
    double linearizable_ratio = 0.0;
    Nanos request_timeout = ms(1000);      // "request_timeout_ms": client gives up, then retries
    std::uint64_t url_bytes = 24;          // "url_bytes": 16..2048, length of generated URLs
    /// "sticky_leader": a client sends each new request to the node that last answered it as
    /// leader (as a client keeping its connection would), not to a random node; default false.
    bool sticky_leader = false;
};

struct Scenario {
    std::string path;                      // the file it came from (for messages)
    std::string name;                      // "name": required, non-empty
    std::string description;               // "description": optional
    std::uint64_t default_seed = 1;        // "seed": used when --seed is not given
    std::uint64_t node_count = 3;          // "nodes": 1..9
    /// "epoch": the wall time shown for virtual time zero, "YYYY-MM-DD HH:MM:SS.mmm" (UTC);
    /// default "2023-02-08 20:02:03.050". Stored as milliseconds since the Unix epoch.
    std::int64_t epoch_unix_ms = 1675886523050;
    Nanos duration = ms(10'000);           // "duration_ms": 1 .. 86,400,000

    // "raft": {...}
    Nanos election_timeout_min = ms(150);  // "election_timeout_ms": [min, max], 1 <= min <= max
    Nanos election_timeout_max = ms(300);
    Nanos heartbeat_interval = ms(50);     // "heartbeat_ms": >= 1, < election min
    /// "debug_addend_ms": added to both election timeouts and the heartbeat, as the seed's
    /// timeoutDebugAddend did (5000 in its trace); default 0.
    Nanos debug_addend = 0;
    Nanos commit_timeout = ms(5000);       // "commit_timeout_ms": the service's wait for commit
    bool pre_vote = true;                  // "pre_vote": Raft thesis §9.6
    bool check_quorum = true;              // "check_quorum": a leader without a quorum steps down
    /// "entries_per_append_max": 1..4096, entries per AppendEntries (1 makes a follower
    /// acknowledge an old-term entry apart from the new leader's no-op: Figure 8's setting).
    std::uint64_t entries_per_append_max = 64;
    /// "inflight_appends_max": 1..1024, AppendEntries in flight per follower (1 makes
    /// replication serial, one round trip per message: old-term entries then commit one at a
    /// time before the new leader's no-op, the window Figure 8 is about).
    std::uint64_t inflight_appends_max = 8;
    /// "replicate_on_heartbeat_only": the seed's replication model (raft::Config): entries
    /// leave the leader only on heartbeat ticks. Default false: Raft's pipeline.
    bool replicate_on_heartbeat_only = false;

    // "boot": {...} — how processes start and join, modelled on the seed's start-up.
    std::vector<Nanos> start_at;           // "start_ms": one per node, default all 0
    Nanos connect_retry = ms(100);         // "connect_retry_ms": dial retry interval
    /// "jitter_us_max": start-up goroutine scheduling jitter, 0..10,000 µs, default 50.
    Nanos boot_jitter_max = 50'000;
    std::uint64_t use_ports_from = 9000;   // "use_ports_from": 1..65000, the seed's port scheme

    // "network": {...}
    LatencyModel network_latency;          // "latency": default fixed 1 ms
    std::vector<LinkLatency> link_latencies;  // "links": directional overrides
    double loss_ratio = 0.0;               // "loss_ratio": 0..1, share of messages dropped
    double duplicate_ratio = 0.0;          // "duplicate_ratio": 0..1, share delivered twice

    // "disk": {...}
    LatencyModel fsync_latency;            // "fsync": default fixed 0.5 ms
    double torn_write_ratio = 0.0;         // "torn_write_ratio": 0..1, a crash tears a write

    /// "clocks": {"drift_ratio_max": r}, 0..0.5: each node's clock runs at a rate drawn per
    /// seed from [1 - r, 1 + r]. Default 0: every clock runs at the simulator's rate.
    double drift_ratio_max = 0.0;

    /// "trace": {"interleave_timer_lines": true} merges the election timer's lines with the
    /// other lines of a step at seeded random places, as the seed's goroutines raced
    /// (core/raft/trace_line.h). Default false: the core's canonical order.
    bool interleave_trace = false;

    WorkloadSpec workload;                    // "workload"
    std::vector<Fault> faults;             // "faults": the explicit timeline, sorted by at.min
    RandomFaults random_faults;            // "random_faults"

    /// "checks": {"liveness_bound_ms": N}: once every fault has healed, a leader must be
    /// elected and every pending client request must complete within N ms. 0 (the default)
    /// means 4 maximum election timeouts.
    Nanos liveness_bound = 0;
};

/// Parses scenario JSON. `path` is used only in error messages.
Result<Scenario> parse_scenario(std::string_view json_text, const std::string& path);

/// Reads and parses a scenario file; a missing or unreadable file is an Error naming it.
Result<Scenario> load_scenario(const std::string& path);

}  // namespace raftlink::sim
