// SPDX-License-Identifier: MIT
// Scenario loading: every rule of scenario.h rejects bad input with a message that names the
// file and the field, valid files load to the documented values, and defaults fill only what
// is absent.
#include "io/sim/scenario.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace raftlink::sim {
namespace {

using namespace std::string_view_literals;

constexpr const char* file_name = "sim/scenarios/x.json";

struct BadCase {
    const char* name;
    std::string_view json;
    const char* want;  // a substring of the message; names the field where there is one
    ErrorCode code;
};

constexpr ErrorCode malformed = ErrorCode::Malformed;
constexpr ErrorCode out_of_range = ErrorCode::OutOfRange;

// clang-format off
const BadCase bad_cases[] = {
    // Syntax. RapidJSON's own words, with the position as offset and as line and column.
    {"empty text", "",
     "invalid JSON at offset 0 (line 1, column 1): The document is empty.", malformed},
    {"missing comma", R"({"name": "x" "nodes": 3})",
     "invalid JSON at offset 13 (line 1, column 14): Missing a comma or '}' after an object "
     "member.", malformed},
    {"trailing comma on line 3", "{\n  \"name\": \"x\",\n}",
     "invalid JSON at offset 17 (line 3, column 1): Missing a name for object member.",
     malformed},
    {"trailing garbage", R"({"name": "x"} 5)",
     "The document root must not be followed by other values.", malformed},
    {"NUL byte", "{\"name\": \"x\"}\0{}"sv, "invalid JSON at offset 13 (line 1, column 14)",
     malformed},
    {"invalid UTF-8", "{\"name\": \"\xff\"}", "Invalid encoding in string.", malformed},
    {"number beyond double", R"({"name": "x", "seed": 1e400})", "Number too big", malformed},
    {"comment", "{\"name\": \"x\" // no\n}", "invalid JSON at offset 13", malformed},
    {"top level array", "[1, 2]",
     "expected a JSON object at the top level, got an array of 2 elements", malformed},

    // Unknown and duplicate fields, at each level.
    {"unknown top-level field", R"({"name": "x", "nodez": 3})",
     "unknown field \"nodez\" (expected one of: name, description, seed, nodes, epoch, "
     "duration_ms, raft, boot, network, disk, clocks, trace, workload, faults, random_faults, "
     "checks)", malformed},
    {"unknown trace field", R"({"name": "x", "trace": {"interleave": true}})",
     "unknown field \"trace.interleave\" (expected one of: interleave_timer_lines)", malformed},
    {"trace flag not a boolean", R"({"name": "x", "trace": {"interleave_timer_lines": 1}})",
     "field \"trace.interleave_timer_lines\": expected true or false, got 1", malformed},
    {"unknown raft field", R"({"name": "x", "raft": {"heartbeat": 50}})",
     "unknown field \"raft.heartbeat\" (expected one of: election_timeout_ms, heartbeat_ms, "
     "debug_addend_ms, commit_timeout_ms, pre_vote, check_quorum, entries_per_append_max, "
     "inflight_appends_max, replicate_on_heartbeat_only)",
     malformed},
    {"no entries per append", R"({"name": "x", "raft": {"entries_per_append_max": 0}})",
     "field \"raft.entries_per_append_max\": expected an integer >= 1, got 0", out_of_range},
    {"too many entries per append", R"({"name": "x", "raft": {"entries_per_append_max": 5000}})",
     "field \"raft.entries_per_append_max\": expected an integer <= 4096, got 5000",
     out_of_range},
    {"unknown boot field", R"({"name": "x", "boot": {"start": [0, 0, 0]}})",
     "unknown field \"boot.start\"", malformed},
    {"unknown network field", R"({"name": "x", "network": {"latencyy": {}}})",
     "unknown field \"network.latencyy\" (expected one of: latency, links, loss_ratio, "
     "duplicate_ratio)", malformed},
    {"parameter of another distribution",
     R"({"name": "x", "disk": {"fsync": {"distribution": "fixed", "min_ms": 1}}})",
     "unknown field \"disk.fsync.min_ms\" (expected one of: distribution, ms)", malformed},
    {"unknown think_time field", R"({"name": "x", "workload": {"think_time":
         {"distribution": "exponential", "min_ms": 1, "mean_ms": 2, "max_ms": 9}}})",
     "unknown field \"workload.think_time.max_ms\" (expected one of: distribution, min_ms, "
     "mean_ms)", malformed},
    {"unknown fault field", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "crash", "node": 1},
         {"at_ms": 1, "kind": "crash", "target": 1}]})",
     "unknown field \"faults[1].target\" (expected one of: at_ms, kind, node)", malformed},
    {"duplicate field", R"({"name": "x", "nodes": 3, "nodes": 5})",
     "duplicate field \"nodes\"", malformed},
    {"control character in a field name", "{\"name\": \"x\", \"a\\u0001\": 1}",
     "unknown field \"a\\u0001\"", malformed},

    // Required fields.
    {"no name", "{}", "missing required field \"name\"", malformed},
    {"empty name", R"({"name": ""})",
     "field \"name\": expected a non-empty string, got \"\"", out_of_range},
    {"no distribution", R"({"name": "x", "network": {"latency": {"ms": 1}}})",
     "missing required field \"network.latency.distribution\"", malformed},
    {"no fixed ms", R"({"name": "x", "disk": {"fsync": {"distribution": "fixed"}}})",
     "missing required field \"disk.fsync.ms\"", malformed},
    {"no uniform max", R"({"name": "x", "network": {"latency":
         {"distribution": "uniform", "min_ms": 1}}})",
     "missing required field \"network.latency.max_ms\"", malformed},
    {"no exponential mean", R"({"name": "x", "network": {"latency":
         {"distribution": "exponential", "min_ms": 1}}})",
     "missing required field \"network.latency.mean_ms\"", malformed},
    {"fault without at_ms", R"({"name": "x", "faults": [{"kind": "crash", "node": 1}]})",
     "missing required field \"faults[0].at_ms\"", malformed},
    {"fault without kind", R"({"name": "x", "faults": [{"at_ms": 1, "node": 1}]})",
     "missing required field \"faults[0].kind\"", malformed},
    {"fault without node", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash"}]})",
     "missing required field \"faults[0].node\"", malformed},

    // Wrong JSON types.
    {"name not a string", R"({"name": 5})", "field \"name\": expected a string, got 5",
     malformed},
    {"description null", R"({"name": "x", "description": null})",
     "field \"description\": expected a string, got null", malformed},
    {"nodes as string", R"({"name": "x", "nodes": "3"})",
     "field \"nodes\": expected an integer, got \"3\"", malformed},
    {"nodes as 3.0", R"({"name": "x", "nodes": 3.0})",
     "field \"nodes\": expected an integer, got 3.0", malformed},
    {"nodes fractional", R"({"name": "x", "nodes": 2.5})",
     "field \"nodes\": expected an integer, got 2.5", malformed},
    {"seed beyond 64 bits", R"({"name": "x", "seed": 18446744073709551616})",
     "field \"seed\": expected an integer, got 18446744073709551616.0", malformed},
    {"epoch as number", R"({"name": "x", "epoch": 20230208})",
     "field \"epoch\": expected a string, got 20230208", malformed},
    {"duration as string", R"({"name": "x", "duration_ms": "10s"})",
     "field \"duration_ms\": expected a number of milliseconds, got \"10s\"", malformed},
    {"raft as array", R"({"name": "x", "raft": []})",
     "field \"raft\": expected an object, got an array of 0 elements", malformed},
    {"election timeout as number", R"({"name": "x", "raft": {"election_timeout_ms": 150}})",
     "field \"raft.election_timeout_ms\": expected an array [min, max] of milliseconds, got 150",
     malformed},
    {"election timeout of one element", R"({"name": "x", "raft": {"election_timeout_ms": [1]}})",
     "field \"raft.election_timeout_ms\": expected an array [min, max] of milliseconds, got an "
     "array of 1 elements", malformed},
    {"election timeout element as string",
     R"({"name": "x", "raft": {"election_timeout_ms": ["150", 300]}})",
     "field \"raft.election_timeout_ms[0]\": expected a number of milliseconds, got \"150\"",
     malformed},
    {"start_ms as string", R"({"name": "x", "boot": {"start_ms": "0"}})",
     "field \"boot.start_ms\": expected an array of milliseconds, got \"0\"", malformed},
    {"start_ms element as bool", R"({"name": "x", "nodes": 1, "boot": {"start_ms": [true]}})",
     "field \"boot.start_ms[0]\": expected a number of milliseconds, got true", malformed},
    {"jitter fractional", R"({"name": "x", "boot": {"jitter_us_max": 1.5}})",
     "field \"boot.jitter_us_max\": expected an integer, got 1.5", malformed},
    {"network as string", R"({"name": "x", "network": "fast"})",
     "field \"network\": expected an object, got \"fast\"", malformed},
    {"latency as number", R"({"name": "x", "network": {"latency": 1}})",
     "field \"network.latency\": expected an object, got 1", malformed},
    {"distribution as number", R"({"name": "x", "network": {"latency": {"distribution": 3}}})",
     "field \"network.latency.distribution\": expected one of \"fixed\", \"uniform\", "
     "\"exponential\", got 3", malformed},
    {"workload as array", R"({"name": "x", "workload": [3]})",
     "field \"workload\": expected an object, got an array of 1 elements", malformed},
    {"resolve_ratio as bool", R"({"name": "x", "workload": {"resolve_ratio": true}})",
     "field \"workload.resolve_ratio\": expected a number, got true", malformed},
    {"faults as object", R"({"name": "x", "faults": {}})",
     "field \"faults\": expected an array of fault objects, got an object", malformed},
    {"fault as number", R"({"name": "x", "faults": [5]})",
     "field \"faults[0]\": expected an object, got 5", malformed},
    {"fault kind as number", R"({"name": "x", "faults": [{"at_ms": 1, "kind": 1, "node": 1}]})",
     "field \"faults[0].kind\": expected one of \"crash\", \"restart\", \"partition\", "
     "\"isolate\", \"one_way\", \"bridge\", \"heal\", \"pause\", \"corrupt\", got 1", malformed},
    {"at_ms as string", R"({"name": "x", "faults": [{"at_ms": "1", "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms\": expected a number of milliseconds or an array [min, max] of "
     "milliseconds, got \"1\"", malformed},
    {"at_ms of three elements",
     R"({"name": "x", "faults": [{"at_ms": [1, 2, 3], "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms\": expected a number of milliseconds or an array [min, max] of "
     "milliseconds, got an array of 3 elements", malformed},
    {"node fractional", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": 1.5}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got 1.5", malformed},
    {"node as bool", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "restart", "node": true}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\" or \"crashed\", got true",
     malformed},

    // Ranges of top-level values.
    {"seed negative", R"({"name": "x", "seed": -1})",
     "field \"seed\": expected an integer >= 0, got -1", out_of_range},
    {"no nodes", R"({"name": "x", "nodes": 0})",
     "field \"nodes\": expected an integer >= 1, got 0", out_of_range},
    {"ten nodes", R"({"name": "x", "nodes": 10})",
     "field \"nodes\": expected an integer <= 9, got 10", out_of_range},
    {"zero duration", R"({"name": "x", "duration_ms": 0})",
     "field \"duration_ms\": expected a number of milliseconds >= 1, got 0", out_of_range},
    {"duration over a day", R"({"name": "x", "duration_ms": 86400000.5})",
     "field \"duration_ms\": expected a number of milliseconds <= 86400000, got 86400000.5",
     out_of_range},
    {"huge duration", R"({"name": "x", "duration_ms": 1e300})",
     "field \"duration_ms\": expected a number of milliseconds <= 86400000, got 1e+300",
     out_of_range},

    // Raft.
    {"negative election minimum", R"({"name": "x", "raft": {"election_timeout_ms": [-5, 300]}})",
     "field \"raft.election_timeout_ms[0]\": expected a number of milliseconds >= 1, got -5",
     out_of_range},
    {"election min above max", R"({"name": "x", "raft": {"election_timeout_ms": [300, 150]}})",
     "field \"raft.election_timeout_ms[1]\": expected a number of milliseconds >= 300 (the "
     "minimum, element 0), got 150", out_of_range},
    {"heartbeat not below election minimum", R"({"name": "x", "raft": {"heartbeat_ms": 150}})",
     "field \"raft.heartbeat_ms\": expected a number of milliseconds < 150 (the election "
     "timeout minimum), got 150", out_of_range},
    {"default heartbeat not below election minimum",
     R"({"name": "x", "raft": {"election_timeout_ms": [40, 80]}})",
     "field \"raft.heartbeat_ms\": expected a number of milliseconds < 40 (the election timeout "
     "minimum), got 50 (the default)", out_of_range},
    {"heartbeat rounding to the election minimum",
     R"({"name": "x", "raft": {"election_timeout_ms": [1.5, 2], "heartbeat_ms": 1.4999996}})",
     "field \"raft.heartbeat_ms\": expected a number of milliseconds < 1.5 (the election "
     "timeout minimum), got 1.5", out_of_range},
    {"zero heartbeat", R"({"name": "x", "raft": {"heartbeat_ms": 0}})",
     "field \"raft.heartbeat_ms\": expected a number of milliseconds >= 1, got 0", out_of_range},
    {"negative debug addend", R"({"name": "x", "raft": {"debug_addend_ms": -1}})",
     "field \"raft.debug_addend_ms\": expected a number of milliseconds >= 0, got -1",
     out_of_range},
    {"zero commit timeout", R"({"name": "x", "raft": {"commit_timeout_ms": 0.25}})",
     "field \"raft.commit_timeout_ms\": expected a number of milliseconds >= 1, got 0.25",
     out_of_range},

    // Boot.
    {"start_ms shorter than nodes", R"({"name": "x", "boot": {"start_ms": [0, 0]}})",
     "field \"boot.start_ms\": expected an array of 3 elements (one per node), got an array of "
     "2 elements", out_of_range},
    {"start_ms after the end", R"({"name": "x", "boot": {"start_ms": [0, 0, 10000.5]}})",
     "field \"boot.start_ms[2]\": expected a number of milliseconds <= 10000 (duration_ms), got "
     "10000.5", out_of_range},
    {"start_ms negative", R"({"name": "x", "nodes": 1, "boot": {"start_ms": [-1]}})",
     "field \"boot.start_ms[0]\": expected a number of milliseconds >= 0, got -1", out_of_range},
    {"zero connect retry", R"({"name": "x", "boot": {"connect_retry_ms": 0}})",
     "field \"boot.connect_retry_ms\": expected a number of milliseconds >= 1, got 0",
     out_of_range},
    {"jitter too large", R"({"name": "x", "boot": {"jitter_us_max": 10001}})",
     "field \"boot.jitter_us_max\": expected an integer <= 10000, got 10001", out_of_range},
    {"port zero", R"({"name": "x", "boot": {"use_ports_from": 0}})",
     "field \"boot.use_ports_from\": expected an integer >= 1, got 0", out_of_range},
    {"port too high", R"({"name": "x", "boot": {"use_ports_from": 65001}})",
     "field \"boot.use_ports_from\": expected an integer <= 65000, got 65001", out_of_range},

    // Latency models.
    {"unknown distribution", R"({"name": "x", "network": {"latency":
         {"distribution": "normal", "ms": 1}}})",
     "field \"network.latency.distribution\": expected one of \"fixed\", \"uniform\", "
     "\"exponential\", got \"normal\"", out_of_range},
    {"latency over an hour", R"({"name": "x", "network": {"latency":
         {"distribution": "fixed", "ms": 3600001}}})",
     "field \"network.latency.ms\": expected a number of milliseconds <= 3600000, got 3600001",
     out_of_range},
    {"negative below a nanosecond", R"({"name": "x", "raft": {"debug_addend_ms": -1e-9}})",
     "field \"raft.debug_addend_ms\": expected a number of milliseconds >= 0, got -1e-09",
     out_of_range},
    {"negative latency", R"({"name": "x", "disk": {"fsync":
         {"distribution": "fixed", "ms": -0.5}}})",
     "field \"disk.fsync.ms\": expected a number of milliseconds >= 0, got -0.5", out_of_range},
    {"uniform max below min", R"({"name": "x", "network": {"latency":
         {"distribution": "uniform", "min_ms": 3, "max_ms": 1}}})",
     "field \"network.latency.max_ms\": expected a number of milliseconds >= 3 (min_ms), got 1",
     out_of_range},
    {"exponential mean zero", R"({"name": "x", "network": {"latency":
         {"distribution": "exponential", "min_ms": 1, "mean_ms": 0}}})",
     "field \"network.latency.mean_ms\": expected a number of milliseconds > 0, got 0",
     out_of_range},

    // Workload.
    {"too many clients", R"({"name": "x", "workload": {"clients": 65}})",
     "field \"workload.clients\": expected an integer <= 64, got 65", out_of_range},
    {"clients start after the end", R"({"name": "x", "workload": {"start_ms": 20000}})",
     "field \"workload.start_ms\": expected a number of milliseconds <= 10000 (duration_ms), "
     "got 20000", out_of_range},
    {"resolve_ratio above one", R"({"name": "x", "workload": {"resolve_ratio": 1.5}})",
     "field \"workload.resolve_ratio\": expected a number in 0..1, got 1.5", out_of_range},
    {"resolve_ratio negative", R"({"name": "x", "workload": {"resolve_ratio": -0.1}})",
     "field \"workload.resolve_ratio\": expected a number in 0..1, got -0.1", out_of_range},
    {"zero request timeout", R"({"name": "x", "workload": {"request_timeout_ms": 0}})",
     "field \"workload.request_timeout_ms\": expected a number of milliseconds >= 1, got 0",
     out_of_range},
    {"urls too short", R"({"name": "x", "workload": {"url_bytes": 15}})",
     "field \"workload.url_bytes\": expected an integer >= 16, got 15", out_of_range},
    {"urls too long", R"({"name": "x", "workload": {"url_bytes": 2049}})",
     "field \"workload.url_bytes\": expected an integer <= 2048, got 2049", out_of_range},
    {"think time out of range", R"({"name": "x", "workload": {"think_time":
         {"distribution": "uniform", "min_ms": -1, "max_ms": 1}}})",
     "field \"workload.think_time.min_ms\": expected a number of milliseconds >= 0, got -1",
     out_of_range},

    // Faults.
    {"unknown fault kind", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "crash", "node": 1}, {"at_ms": 1, "kind": "reboot", "node": 1}]})",
     "field \"faults[1].kind\": expected one of \"crash\", \"restart\", \"partition\", "
     "\"isolate\", \"one_way\", \"bridge\", \"heal\", \"pause\", \"corrupt\", got \"reboot\"",
     out_of_range},
    {"at_ms negative", R"({"name": "x", "faults": [{"at_ms": -1, "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms\": expected a number of milliseconds >= 0, got -1", out_of_range},
    {"at_ms after the end",
     R"({"name": "x", "duration_ms": 5000,
         "faults": [{"at_ms": 6000, "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms\": expected a number of milliseconds <= 5000 (duration_ms), got "
     "6000", out_of_range},
    {"at_ms range reversed",
     R"({"name": "x", "faults": [{"at_ms": [4000, 2000], "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms[1]\": expected a number of milliseconds >= 4000 (the minimum, "
     "element 0), got 2000", out_of_range},
    {"at_ms range past the end",
     R"({"name": "x", "faults": [{"at_ms": [4000, 12000], "kind": "crash", "node": 1}]})",
     "field \"faults[0].at_ms[1]\": expected a number of milliseconds <= 10000 (duration_ms), "
     "got 12000", out_of_range},
    {"node zero", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": 0}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got 0", out_of_range},
    {"node beyond the cluster",
     R"({"name": "x", "nodes": 5, "faults": [{"at_ms": 1, "kind": "restart", "node": 6}]})",
     "field \"faults[0].node\": expected a node id 1..5, \"leader\" or \"crashed\", got 6",
     out_of_range},
    {"node negative", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": -1}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got -1", out_of_range},
    {"crash the crashed node",
     R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": "crashed"}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\" (\"crashed\" is only for "
     "kind restart), got \"crashed\"", out_of_range},
    {"unknown node name",
     R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": "follower"}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got \"follower\"",
     out_of_range},
    {"node id as string",
     R"({"name": "x", "faults": [{"at_ms": 1, "kind": "crash", "node": "2"}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got \"2\"", out_of_range},

    // Raft flags, workload ratios and checks.
    {"pre_vote not a boolean", R"({"name": "x", "raft": {"pre_vote": 1}})",
     "field \"raft.pre_vote\": expected true or false, got 1", malformed},
    {"check_quorum as string", R"({"name": "x", "raft": {"check_quorum": "yes"}})",
     "field \"raft.check_quorum\": expected true or false, got \"yes\"", malformed},
    {"replicate_on_heartbeat_only as number",
     R"({"name": "x", "raft": {"replicate_on_heartbeat_only": 1}})",
     "field \"raft.replicate_on_heartbeat_only\": expected true or false, got 1", malformed},
    {"sticky_leader as string", R"({"name": "x", "workload": {"sticky_leader": "yes"}})",
     "field \"workload.sticky_leader\": expected true or false, got \"yes\"", malformed},
    {"linearizable_ratio above one", R"({"name": "x", "workload": {"linearizable_ratio": 2}})",
     "field \"workload.linearizable_ratio\": expected a number in 0..1, got 2", out_of_range},
    {"linearizable_ratio as string",
     R"({"name": "x", "workload": {"linearizable_ratio": "all"}})",
     "field \"workload.linearizable_ratio\": expected a number, got \"all\"", malformed},
    {"unknown checks field", R"({"name": "x", "checks": {"liveness": 5}})",
     "unknown field \"checks.liveness\" (expected one of: liveness_bound_ms)", malformed},
    {"checks as array", R"({"name": "x", "checks": []})",
     "field \"checks\": expected an object, got an array of 0 elements", malformed},
    {"liveness bound negative", R"({"name": "x", "checks": {"liveness_bound_ms": -1}})",
     "field \"checks.liveness_bound_ms\": expected a number of milliseconds >= 0, got -1",
     out_of_range},
    {"liveness bound past the end",
     R"({"name": "x", "duration_ms": 5000, "checks": {"liveness_bound_ms": 6000}})",
     "field \"checks.liveness_bound_ms\": expected a number of milliseconds <= 5000 "
     "(duration_ms), got 6000", out_of_range},
    {"liveness bound as string", R"({"name": "x", "checks": {"liveness_bound_ms": "1s"}})",
     "field \"checks.liveness_bound_ms\": expected a number of milliseconds, got \"1s\"",
     malformed},

    // Network faults and per-link latency.
    {"loss_ratio above one", R"({"name": "x", "network": {"loss_ratio": 1.5}})",
     "field \"network.loss_ratio\": expected a number in 0..1, got 1.5", out_of_range},
    {"duplicate_ratio negative", R"({"name": "x", "network": {"duplicate_ratio": -0.1}})",
     "field \"network.duplicate_ratio\": expected a number in 0..1, got -0.1", out_of_range},
    {"loss_ratio as bool", R"({"name": "x", "network": {"loss_ratio": false}})",
     "field \"network.loss_ratio\": expected a number, got false", malformed},
    {"links as object", R"({"name": "x", "network": {"links": {}}})",
     "field \"network.links\": expected an array of {\"from\", \"to\", \"latency\"} objects, "
     "got an object", malformed},
    {"link as number", R"({"name": "x", "network": {"links": [3]}})",
     "field \"network.links[0]\": expected an object, got 3", malformed},
    {"unknown link field", R"({"name": "x", "network": {"links": [{"from": 1, "too": 2}]}})",
     "unknown field \"network.links[0].too\" (expected one of: from, to, latency)", malformed},
    {"link without from", R"({"name": "x", "network": {"links": [{"to": 2}]}})",
     "missing required field \"network.links[0].from\"", malformed},
    {"link from node zero", R"({"name": "x", "network": {"links":
         [{"from": 0, "to": 2, "latency": {"distribution": "fixed", "ms": 1}}]}})",
     "field \"network.links[0].from\": expected a node id 1..3, got 0", out_of_range},
    {"link to a node beyond the cluster", R"({"name": "x", "network": {"links":
         [{"from": 1, "to": 4, "latency": {"distribution": "fixed", "ms": 1}}]}})",
     "field \"network.links[0].to\": expected a node id 1..3, got 4", out_of_range},
    {"link from as string", R"({"name": "x", "network": {"links":
         [{"from": "leader", "to": 2, "latency": {"distribution": "fixed", "ms": 1}}]}})",
     "field \"network.links[0].from\": expected a node id 1..3, got \"leader\"", malformed},
    {"link to itself", R"({"name": "x", "network": {"links":
         [{"from": 2, "to": 2, "latency": {"distribution": "fixed", "ms": 1}}]}})",
     "field \"network.links[0].to\": expected a node other than \"from\" (2), got 2",
     out_of_range},
    {"link without latency", R"({"name": "x", "network": {"links": [{"from": 1, "to": 2}]}})",
     "missing required field \"network.links[0].latency\"", malformed},
    {"link latency out of range", R"({"name": "x", "network": {"links":
         [{"from": 1, "to": 2, "latency": {"distribution": "fixed", "ms": -2}}]}})",
     "field \"network.links[0].latency.ms\": expected a number of milliseconds >= 0, got -2",
     out_of_range},
    {"link given twice", R"({"name": "x", "network": {"links": [
         {"from": 1, "to": 2, "latency": {"distribution": "fixed", "ms": 1}},
         {"from": 1, "to": 2, "latency": {"distribution": "fixed", "ms": 2}}]}})",
     "field \"network.links[1]\": expected a link not given before, got a second link 1 -> 2",
     out_of_range},

    // Disk and clocks.
    {"unknown disk field", R"({"name": "x", "disk": {"torn": 0.5}})",
     "unknown field \"disk.torn\" (expected one of: fsync, torn_write_ratio)", malformed},
    {"torn_write_ratio above one", R"({"name": "x", "disk": {"torn_write_ratio": 1.01}})",
     "field \"disk.torn_write_ratio\": expected a number in 0..1, got 1.01", out_of_range},
    {"unknown clocks field", R"({"name": "x", "clocks": {"drift": 0.1}})",
     "unknown field \"clocks.drift\" (expected one of: drift_ratio_max)", malformed},
    {"drift above half", R"({"name": "x", "clocks": {"drift_ratio_max": 0.6}})",
     "field \"clocks.drift_ratio_max\": expected a number in 0..0.5, got 0.6", out_of_range},
    {"drift negative", R"({"name": "x", "clocks": {"drift_ratio_max": -0.01}})",
     "field \"clocks.drift_ratio_max\": expected a number in 0..0.5, got -0.01", out_of_range},

    // New fault kinds.
    {"partition without groups", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "partition"}]})",
     "missing required field \"faults[0].groups\"", malformed},
    {"partition with a node", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "node": 1, "groups": [[1]]}]})",
     "unknown field \"faults[0].node\" (expected one of: at_ms, kind, groups)", malformed},
    {"partition groups as object", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": {}}]})",
     "field \"faults[0].groups\": expected an array of groups, each an array of node ids, got "
     "an object", malformed},
    {"partition with no groups", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": []}]})",
     "field \"faults[0].groups\": expected an array of groups, each an array of node ids, got "
     "an array of 0 elements", malformed},
    {"partition with an empty group", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": [[1], []]}]})",
     "field \"faults[0].groups[1]\": expected a non-empty array of node ids, got an array of 0 "
     "elements", malformed},
    {"partition node beyond the cluster", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": [[1, 4]]}]})",
     "field \"faults[0].groups[0][1]\": expected a node id 1..3, got 4", out_of_range},
    {"partition node in two groups", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": [[1, 2], [2, 3]]}]})",
     "field \"faults[0].groups[1][0]\": expected a node id not already in a group, got 2",
     out_of_range},
    {"partition of one group of all", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "partition", "groups": [[3, 1, 2]]}]})",
     "field \"faults[0].groups\": expected groups that split the 3 nodes in two or more, got "
     "one group of all nodes", out_of_range},
    {"isolate without node", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "isolate"}]})",
     "missing required field \"faults[0].node\"", malformed},
    {"isolate the crashed node", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "isolate", "node": "crashed"}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\" (\"crashed\" is only for "
     "kind restart), got \"crashed\"", out_of_range},
    {"one_way with node", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "one_way", "node": 1}]})",
     "unknown field \"faults[0].node\" (expected one of: at_ms, kind, from, to)", malformed},
    {"one_way without to", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "one_way", "from": "leader"}]})",
     "missing required field \"faults[0].to\"", malformed},
    {"one_way to itself", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "one_way", "from": 2, "to": 2}]})",
     "field \"faults[0].to\": expected a node other than \"from\" (2), got 2", out_of_range},
    {"one_way leader to leader", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "one_way", "from": "leader", "to": "leader"}]})",
     "field \"faults[0].to\": expected a node other than \"from\" (\"leader\"), got \"leader\"",
     out_of_range},
    {"bridge beyond the cluster", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "bridge", "node": 4}]})",
     "field \"faults[0].node\": expected a node id 1..3, \"leader\", got 4", out_of_range},
    {"heal with a node", R"({"name": "x", "faults": [{"at_ms": 1, "kind": "heal", "node": 1}]})",
     "unknown field \"faults[0].node\" (expected one of: at_ms, kind)", malformed},
    {"pause without duration", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "pause", "node": 1}]})",
     "missing required field \"faults[0].duration_ms\"", malformed},
    {"pause duration reversed", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "pause", "node": 1, "duration_ms": [300, 200]}]})",
     "field \"faults[0].duration_ms[1]\": expected a number of milliseconds >= 300 (the "
     "minimum, element 0), got 200", out_of_range},
    {"pause of zero", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "pause", "node": 1, "duration_ms": 0}]})",
     "field \"faults[0].duration_ms\": expected a number of milliseconds >= 1, got 0",
     out_of_range},
    {"pause longer than the run", R"({"name": "x", "duration_ms": 1000, "faults": [
         {"at_ms": 1, "kind": "pause", "node": "leader", "duration_ms": 2000}]})",
     "field \"faults[0].duration_ms\": expected a number of milliseconds <= 1000 (duration_ms "
     "of the scenario), got 2000", out_of_range},
    {"duration on a crash", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "crash", "node": 1, "duration_ms": 5}]})",
     "unknown field \"faults[0].duration_ms\" (expected one of: at_ms, kind, node)", malformed},
    {"corrupt the leader", R"({"name": "x", "faults": [
         {"at_ms": 1, "kind": "corrupt", "node": "leader"}]})",
     "field \"faults[0].node\": expected a node id 1..3 (\"leader\" is not for kind corrupt), "
     "got \"leader\"", out_of_range},

    // Random faults.
    {"random_faults as array", R"({"name": "x", "random_faults": []})",
     "field \"random_faults\": expected an object, got an array of 0 elements", malformed},
    {"unknown random_faults field", R"({"name": "x", "random_faults": {"until": 5}})",
     "unknown field \"random_faults.until\" (expected one of: from_ms, until_ms, rates_per_s, "
     "down_ms, heal_ms, pause_ms, allow_quorum_loss)", malformed},
    {"random_faults without until", R"({"name": "x", "random_faults": {"from_ms": 5}})",
     "missing required field \"random_faults.until_ms\"", malformed},
    {"random_faults until before from",
     R"({"name": "x", "random_faults": {"from_ms": 500, "until_ms": 100}})",
     "field \"random_faults.until_ms\": expected a number of milliseconds >= 500 (from_ms), got "
     "100", out_of_range},
    {"random_faults until past the end",
     R"({"name": "x", "duration_ms": 1000, "random_faults": {"until_ms": 1001}})",
     "field \"random_faults.until_ms\": expected a number of milliseconds <= 1000 (duration_ms), "
     "got 1001", out_of_range},
    {"random restart rate", R"({"name": "x", "random_faults": {"until_ms": 100,
         "rates_per_s": {"restart": 1}}})",
     "unknown field \"random_faults.rates_per_s.restart\" (expected one of: crash, partition, "
     "isolate, one_way, bridge, pause, corrupt)", malformed},
    {"random rate negative", R"({"name": "x", "random_faults": {"until_ms": 100,
         "rates_per_s": {"crash": -1}}})",
     "field \"random_faults.rates_per_s.crash\": expected a number of faults per second in "
     "0..100, got -1", out_of_range},
    {"random rate too high", R"({"name": "x", "random_faults": {"until_ms": 100,
         "rates_per_s": {"one_way": 101}}})",
     "field \"random_faults.rates_per_s.one_way\": expected a number of faults per second in "
     "0..100, got 101", out_of_range},
    {"random rate as string", R"({"name": "x", "random_faults": {"until_ms": 100,
         "rates_per_s": {"pause": "often"}}})",
     "field \"random_faults.rates_per_s.pause\": expected a number of faults per second in "
     "0..100, got \"often\"", malformed},
    {"random down_ms reversed", R"({"name": "x", "random_faults": {"until_ms": 100,
         "down_ms": [500, 100]}})",
     "field \"random_faults.down_ms[1]\": expected a number of milliseconds >= 500 (the "
     "minimum, element 0), got 100", out_of_range},
    {"random heal_ms zero", R"({"name": "x", "random_faults": {"until_ms": 100,
         "heal_ms": 0}})",
     "field \"random_faults.heal_ms\": expected a number of milliseconds >= 1, got 0",
     out_of_range},
    {"random pause_ms as string", R"({"name": "x", "random_faults": {"until_ms": 100,
         "pause_ms": "1s"}})",
     "field \"random_faults.pause_ms\": expected a number of milliseconds or an array [min, "
     "max] of milliseconds, got \"1s\"", malformed},
    {"allow_quorum_loss as number", R"({"name": "x", "random_faults": {"until_ms": 100,
         "allow_quorum_loss": 1}})",
     "field \"random_faults.allow_quorum_loss\": expected true or false, got 1", malformed},

    // Epoch.
    {"epoch with T", R"({"name": "x", "epoch": "2023-02-08T20:02:03.050"})",
     "field \"epoch\": expected a UTC time \"YYYY-MM-DD HH:MM:SS.mmm\", got "
     "\"2023-02-08T20:02:03.050\"", malformed},
    {"epoch without milliseconds", R"({"name": "x", "epoch": "2023-02-08 20:02:03"})",
     "field \"epoch\": expected a UTC time", malformed},
    {"epoch with trailing space", R"({"name": "x", "epoch": "2023-02-08 20:02:03.050 "})",
     "field \"epoch\": expected a UTC time", malformed},
    {"epoch with a sign", R"({"name": "x", "epoch": "+023-02-08 20:02:03.050"})",
     "field \"epoch\": expected a UTC time", malformed},
    {"epoch empty", R"({"name": "x", "epoch": ""})", "field \"epoch\": expected a UTC time",
     malformed},
    {"epoch month 13", R"({"name": "x", "epoch": "2023-13-01 00:00:00.000"})",
     "field \"epoch\": expected a UTC time \"YYYY-MM-DD HH:MM:SS.mmm\" naming a real date and "
     "time in or after 1970, got \"2023-13-01 00:00:00.000\"", out_of_range},
    {"epoch month 0", R"({"name": "x", "epoch": "2023-00-10 00:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch day 0", R"({"name": "x", "epoch": "2023-01-00 00:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch April 31", R"({"name": "x", "epoch": "2023-04-31 00:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch February 29 of a common year", R"({"name": "x", "epoch": "2023-02-29 00:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch February 29 of 2100", R"({"name": "x", "epoch": "2100-02-29 00:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch hour 24", R"({"name": "x", "epoch": "2023-01-01 24:00:00.000"})",
     "naming a real date", out_of_range},
    {"epoch minute 60", R"({"name": "x", "epoch": "2023-01-01 23:60:00.000"})",
     "naming a real date", out_of_range},
    {"epoch leap second", R"({"name": "x", "epoch": "2016-12-31 23:59:60.000"})",
     "naming a real date", out_of_range},
    {"epoch before 1970", R"({"name": "x", "epoch": "1969-12-31 23:59:59.999"})",
     "naming a real date", out_of_range},
};
// clang-format on

TEST_CASE("scenario: each rule rejects bad input with the file, the field and what was wrong") {
    for (const BadCase& bad : bad_cases) {
        const std::string case_name = bad.name;
        CAPTURE(case_name);
        const Result<Scenario> result = parse_scenario(bad.json, file_name);
        REQUIRE_FALSE(result.ok());
        const std::string& message = result.error().message;
        CAPTURE(message);
        CHECK(message.starts_with(std::string(file_name) + ": "));
        CHECK(message.find(bad.want) != std::string::npos);
        CHECK(result.error().code == bad.code);
    }
}

constexpr const char* full_example = R"({
    "name": "seed-startup",
    "description": "Three nodes start as the seed's trace shows.",
    "seed": 7, "nodes": 3,
    "epoch": "2023-02-08 20:02:03.050", "duration_ms": 25000,
    "raft": {"election_timeout_ms": [150, 300], "heartbeat_ms": 50, "debug_addend_ms": 5000,
             "commit_timeout_ms": 5000},
    "boot": {"start_ms": [49, 0, 13.5], "connect_retry_ms": 100, "jitter_us_max": 50,
             "use_ports_from": 9000},
    "network": {"latency": {"distribution": "uniform", "min_ms": 1, "max_ms": 3}},
    "disk": {"fsync": {"distribution": "fixed", "ms": 0.5}},
    "workload": {"clients": 3, "start_ms": 1000,
                 "think_time": {"distribution": "exponential", "min_ms": 5, "mean_ms": 50},
                 "resolve_ratio": 0.25, "request_timeout_ms": 1000, "url_bytes": 24},
    "faults": [{"at_ms": 6000, "kind": "restart", "node": "crashed"},
               {"at_ms": [2000, 4000], "kind": "crash", "node": "leader"},
               {"at_ms": 6000, "kind": "crash", "node": 2}]
})";

TEST_CASE("scenario: a full example loads to the values written") {
    const Result<Scenario> result = parse_scenario(full_example, file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK(scenario.path == file_name);
    CHECK(scenario.name == "seed-startup");
    CHECK(scenario.description == "Three nodes start as the seed's trace shows.");
    CHECK(scenario.default_seed == 7);
    CHECK(scenario.node_count == 3);
    CHECK(scenario.epoch_unix_ms == 1675886523050);
    CHECK(scenario.duration == 25'000'000'000);
    CHECK(scenario.election_timeout_min == ms(150));
    CHECK(scenario.election_timeout_max == ms(300));
    CHECK(scenario.heartbeat_interval == ms(50));
    CHECK(scenario.debug_addend == ms(5000));
    CHECK(scenario.commit_timeout == ms(5000));
    CHECK(scenario.start_at == std::vector<Nanos>{ms(49), 0, 13'500'000});
    CHECK(scenario.connect_retry == ms(100));
    CHECK(scenario.boot_jitter_max == 50'000);
    CHECK(scenario.use_ports_from == 9000);

    CHECK(scenario.network_latency.kind == LatencyModel::Kind::Uniform);
    CHECK(scenario.network_latency.min == ms(1));
    CHECK(scenario.network_latency.max == ms(3));
    CHECK(scenario.fsync_latency.kind == LatencyModel::Kind::Fixed);
    CHECK(scenario.fsync_latency.fixed == 500'000);

    const WorkloadSpec& workload = scenario.workload;
    CHECK(workload.clients == 3);
    CHECK(workload.start_at == ms(1000));
    CHECK(workload.think_time.kind == LatencyModel::Kind::Exponential);
    CHECK(workload.think_time.min == ms(5));
    CHECK(workload.think_time.mean == ms(50));
    CHECK(workload.resolve_ratio == 0.25);
    CHECK(workload.request_timeout == ms(1000));
    CHECK(workload.url_bytes == 24);

    // Sorted by the earliest time; the two faults at 6000 keep their file order.
    REQUIRE(scenario.faults.size() == 3);
    const Fault& first = scenario.faults[0];
    CHECK(first.at.min == ms(2000));
    CHECK(first.at.max == ms(4000));
    CHECK(first.kind == FaultKind::Crash);
    CHECK(first.target.kind == FaultTarget::Kind::Leader);
    const Fault& second = scenario.faults[1];
    CHECK(second.at.min == ms(6000));
    CHECK(second.at.max == ms(6000));
    CHECK(second.kind == FaultKind::Restart);
    CHECK(second.target.kind == FaultTarget::Kind::Crashed);
    const Fault& third = scenario.faults[2];
    CHECK(third.kind == FaultKind::Crash);
    CHECK(third.target.kind == FaultTarget::Kind::Node);
    CHECK(third.target.node == 2);
}

TEST_CASE("scenario: absent fields take the documented defaults") {
    const Result<Scenario> result = parse_scenario(R"({"name": "minimal"})", file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK(scenario.name == "minimal");
    CHECK(scenario.description.empty());
    CHECK(scenario.default_seed == 1);
    CHECK(scenario.node_count == 3);
    CHECK(scenario.epoch_unix_ms == 1675886523050);
    CHECK(scenario.duration == ms(10'000));
    CHECK(scenario.election_timeout_min == ms(150));
    CHECK(scenario.election_timeout_max == ms(300));
    CHECK(scenario.heartbeat_interval == ms(50));
    CHECK(scenario.debug_addend == 0);
    CHECK(scenario.commit_timeout == ms(5000));
    CHECK(scenario.start_at == std::vector<Nanos>{0, 0, 0});
    CHECK(scenario.connect_retry == ms(100));
    CHECK(scenario.boot_jitter_max == 50'000);
    CHECK(scenario.use_ports_from == 9000);
    CHECK(scenario.network_latency.kind == LatencyModel::Kind::Fixed);
    CHECK(scenario.network_latency.fixed == ms(1));
    CHECK(scenario.fsync_latency.kind == LatencyModel::Kind::Fixed);
    CHECK(scenario.fsync_latency.fixed == 500'000);
    CHECK(scenario.workload.clients == 0);
    CHECK(scenario.workload.think_time.kind == LatencyModel::Kind::Fixed);
    CHECK(scenario.workload.think_time.fixed == ms(100));
    CHECK(scenario.workload.resolve_ratio == 0.5);
    CHECK(scenario.workload.request_timeout == ms(1000));
    CHECK(scenario.workload.url_bytes == 24);
    CHECK_FALSE(scenario.workload.sticky_leader);
    CHECK_FALSE(scenario.replicate_on_heartbeat_only);
    CHECK(scenario.faults.empty());
}

TEST_CASE("scenario: the latency model's fields load to the values written") {
    const Result<Scenario> result = parse_scenario(
        R"({"name": "latency", "raft": {"replicate_on_heartbeat_only": true},
            "workload": {"sticky_leader": true}})",
        file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    CHECK(result.value().replicate_on_heartbeat_only);
    CHECK(result.value().workload.sticky_leader);
}

TEST_CASE("scenario: the fault model's fields load to the values written") {
    const Result<Scenario> result = parse_scenario(R"({"name": "faults", "nodes": 5,
        "duration_ms": 20000,
        "raft": {"pre_vote": false, "check_quorum": false},
        "network": {"latency": {"distribution": "fixed", "ms": 2}, "loss_ratio": 0.1,
                    "duplicate_ratio": 0.05,
                    "links": [{"from": 1, "to": 2,
                               "latency": {"distribution": "uniform", "min_ms": 5, "max_ms": 9}},
                              {"from": 2, "to": 1,
                               "latency": {"distribution": "fixed", "ms": 7}}]},
        "disk": {"torn_write_ratio": 0.5},
        "clocks": {"drift_ratio_max": 0.05},
        "workload": {"linearizable_ratio": 0.25},
        "checks": {"liveness_bound_ms": 3000},
        "faults": [
            {"at_ms": 100, "kind": "partition", "groups": [[1, 2], [3]]},
            {"at_ms": 200, "kind": "isolate", "node": "leader"},
            {"at_ms": 300, "kind": "one_way", "from": "leader", "to": 4},
            {"at_ms": 400, "kind": "bridge", "node": 3},
            {"at_ms": 500, "kind": "heal"},
            {"at_ms": [600, 700], "kind": "pause", "node": 2, "duration_ms": 350.5},
            {"at_ms": 800, "kind": "corrupt", "node": 5}],
        "random_faults": {"from_ms": 1000, "until_ms": 9000,
                          "rates_per_s": {"crash": 0.5, "partition": 1, "corrupt": 0.25},
                          "down_ms": [100, 200], "heal_ms": 300, "allow_quorum_loss": true}
    })", file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK_FALSE(scenario.pre_vote);
    CHECK_FALSE(scenario.check_quorum);
    CHECK(scenario.loss_ratio == 0.1);
    CHECK(scenario.duplicate_ratio == 0.05);
    REQUIRE(scenario.link_latencies.size() == 2);
    CHECK(scenario.link_latencies[0].from == 1);
    CHECK(scenario.link_latencies[0].to == 2);
    CHECK(scenario.link_latencies[0].latency.kind == LatencyModel::Kind::Uniform);
    CHECK(scenario.link_latencies[0].latency.max == ms(9));
    CHECK(scenario.link_latencies[1].latency.fixed == ms(7));
    CHECK(scenario.torn_write_ratio == 0.5);
    CHECK(scenario.drift_ratio_max == 0.05);
    CHECK(scenario.workload.linearizable_ratio == 0.25);
    CHECK(scenario.liveness_bound == ms(3000));

    REQUIRE(scenario.faults.size() == 7);
    CHECK(scenario.faults[0].kind == FaultKind::Partition);
    CHECK(scenario.faults[0].groups == std::vector<std::vector<std::uint64_t>>{{1, 2}, {3}});
    CHECK(scenario.faults[1].kind == FaultKind::Isolate);
    CHECK(scenario.faults[1].target.kind == FaultTarget::Kind::Leader);
    CHECK(scenario.faults[2].kind == FaultKind::OneWay);
    CHECK(scenario.faults[2].target.kind == FaultTarget::Kind::Leader);
    CHECK(scenario.faults[2].to.kind == FaultTarget::Kind::Node);
    CHECK(scenario.faults[2].to.node == 4);
    CHECK(scenario.faults[3].kind == FaultKind::Bridge);
    CHECK(scenario.faults[3].target.node == 3);
    CHECK(scenario.faults[4].kind == FaultKind::Heal);
    CHECK(scenario.faults[5].kind == FaultKind::Pause);
    CHECK(scenario.faults[5].at.min == ms(600));
    CHECK(scenario.faults[5].at.max == ms(700));
    CHECK(scenario.faults[5].duration.min == 350'500'000);
    CHECK(scenario.faults[5].duration.max == 350'500'000);
    CHECK(scenario.faults[6].kind == FaultKind::Corrupt);
    CHECK(scenario.faults[6].target.node == 5);

    const RandomFaults& random = scenario.random_faults;
    CHECK(random.enabled);
    CHECK(random.from == ms(1000));
    CHECK(random.until == ms(9000));
    CHECK(random.rates_per_s[static_cast<std::size_t>(FaultKind::Crash)] == 0.5);
    CHECK(random.rates_per_s[static_cast<std::size_t>(FaultKind::Partition)] == 1.0);
    CHECK(random.rates_per_s[static_cast<std::size_t>(FaultKind::Corrupt)] == 0.25);
    CHECK(random.rates_per_s[static_cast<std::size_t>(FaultKind::Pause)] == 0.0);
    CHECK(random.down.min == ms(100));
    CHECK(random.down.max == ms(200));
    CHECK(random.heal.min == ms(300));
    CHECK(random.heal.max == ms(300));
    CHECK(random.pause.min == ms(50));  // the default
    CHECK(random.allow_quorum_loss);
}

TEST_CASE("scenario: the fault model is off unless asked for") {
    const Result<Scenario> result = parse_scenario(R"({"name": "minimal"})", file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK(scenario.pre_vote);
    CHECK(scenario.check_quorum);
    CHECK(scenario.loss_ratio == 0.0);
    CHECK(scenario.duplicate_ratio == 0.0);
    CHECK(scenario.link_latencies.empty());
    CHECK(scenario.torn_write_ratio == 0.0);
    CHECK(scenario.drift_ratio_max == 0.0);
    CHECK(scenario.workload.linearizable_ratio == 0.0);
    CHECK(scenario.liveness_bound == 0);
    CHECK_FALSE(scenario.random_faults.enabled);
    for (std::size_t k = 0; k < fault_kind_count; ++k) {
        CHECK(fault_kind_name(static_cast<FaultKind>(k)) != "?");
    }
}

TEST_CASE("scenario: defaults fill only the absent fields of a present section") {
    const Result<Scenario> result = parse_scenario(R"({"name": "partial", "nodes": 5,
        "raft": {"heartbeat_ms": 20}, "boot": {"use_ports_from": 7000},
        "workload": {"clients": 2}})", file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK(scenario.heartbeat_interval == ms(20));
    CHECK(scenario.election_timeout_min == ms(150));
    CHECK(scenario.start_at == std::vector<Nanos>(5, 0));
    CHECK(scenario.use_ports_from == 7000);
    CHECK(scenario.connect_retry == ms(100));
    CHECK(scenario.workload.clients == 2);
    CHECK(scenario.workload.think_time.fixed == ms(100));
    CHECK(scenario.workload.url_bytes == 24);
}

TEST_CASE("scenario: milliseconds round to the nearest nanosecond, boundaries included") {
    const Result<Scenario> result = parse_scenario(R"({"name": "x", "duration_ms": 86400000,
        "network": {"latency": {"distribution": "fixed", "ms": 0.0015}},
        "disk": {"fsync": {"distribution": "uniform", "min_ms": 0.0000004, "max_ms": 3600000}},
        "raft": {"election_timeout_ms": [1.5, 1.5], "heartbeat_ms": 1.4999994}})", file_name);
    REQUIRE_MESSAGE(result.ok(), result.error().message);
    const Scenario& scenario = result.value();
    CHECK(scenario.duration == ms(86'400'000));
    CHECK(scenario.network_latency.fixed == 1'500);
    CHECK(scenario.fsync_latency.min == 0);
    CHECK(scenario.fsync_latency.max == ms(3'600'000));
    CHECK(scenario.election_timeout_min == 1'500'000);
    CHECK(scenario.election_timeout_max == 1'500'000);
    CHECK(scenario.heartbeat_interval == 1'499'999);
}

TEST_CASE("scenario: epoch strings convert to Unix milliseconds") {
    struct EpochCase {
        const char* text;
        std::int64_t unix_ms;
    };
    const EpochCase cases[] = {
        {"2023-02-08 20:02:03.050", 1675886523050},
        {"1970-01-01 00:00:00.000", 0},
        {"1970-01-01 00:00:00.001", 1},
        {"2024-02-29 23:59:59.999", 1709251199999},  // leap year
        {"2000-02-29 00:00:00.000", 951782400000},   // divisible by 400: leap
        {"9999-12-31 23:59:59.999", 253402300799999},
    };
    for (const EpochCase& epoch : cases) {
        const std::string text = epoch.text;
        CAPTURE(text);
        const std::string json =
            std::string(R"({"name": "x", "epoch": ")") + text + "\"}";
        const Result<Scenario> result = parse_scenario(json, file_name);
        REQUIRE_MESSAGE(result.ok(), result.error().message);
        CHECK(result.value().epoch_unix_ms == epoch.unix_ms);
    }
}

TEST_CASE("scenario: no input crashes the loader") {
    // Truncations and single-byte damage of a valid file: each must load or fail as a value.
    const std::string text = full_example;
    std::size_t failures = 0;
    for (std::size_t length = 0; length < text.size(); ++length) {
        const std::string_view prefix = std::string_view(text).substr(0, length);
        if (!parse_scenario(prefix, file_name).ok()) ++failures;
    }
    for (std::size_t at = 0; at < text.size(); ++at) {
        for (const char replacement : {'0', '-', '"', '[', '}', '\0', '\xff'}) {
            std::string damaged = text;
            damaged[at] = replacement;
            const Result<Scenario> result = parse_scenario(damaged, file_name);
            if (!result.ok()) CHECK(result.error().message.starts_with(file_name));
        }
    }
    CHECK(failures == text.size());

    // Nesting deep enough to overflow a recursive parser's stack.
    const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
    const Result<Scenario> result = parse_scenario(deep, file_name);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("top level") != std::string::npos);
}

TEST_CASE("scenario: files are read, and unreadable ones named") {
    const std::filesystem::path directory =
        std::filesystem::temp_directory_path() / "raftlink_scenario_test";
    std::filesystem::create_directories(directory);
    const std::string path = (directory / "example.json").string();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << full_example;
    }
    const Result<Scenario> loaded = load_scenario(path);
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    CHECK(loaded.value().path == path);
    CHECK(loaded.value().name == "seed-startup");

    const std::string missing = (directory / "missing.json").string();
    const Result<Scenario> absent = load_scenario(missing);
    REQUIRE_FALSE(absent.ok());
    CHECK(absent.error().message == missing + ": cannot read file: No such file or directory");

    const Result<Scenario> folder = load_scenario(directory.string());
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error().message == directory.string() + ": cannot read file: Is a directory");

    const Result<Scenario> huge = load_scenario("/dev/zero");
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().message.find("larger than") != std::string::npos);
    std::filesystem::remove_all(directory);
}

#ifdef RAFTLINK_SCENARIO_DIR
TEST_CASE("scenario: every shipped scenario loads") {
    const std::filesystem::path directory = RAFTLINK_SCENARIO_DIR;
    if (!std::filesystem::is_directory(directory)) return;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        if (entry.path().extension() != ".json") continue;
        const Result<Scenario> result = load_scenario(entry.path().string());
        CHECK_MESSAGE(result.ok(), (result.ok() ? std::string() : result.error().message));
    }
}
#endif

}  // namespace
}  // namespace raftlink::sim
