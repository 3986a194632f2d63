// SPDX-License-Identifier: MIT
// The properties a simulation checks, after every event.
//
// Safety (Raft, Figure 3): election safety (at most one leader per term), log matching (two
// logs with an entry of the same index and term are identical up to it) and state machine
// safety (no two nodes apply different entries at one index). Service: a short id maps to one
// URL forever, and a read never returns a URL other than the one acknowledged for that id.
// Liveness, at the end of a run whose faults healed long enough ago: a leader exists and has
// applied every acknowledged create.
//
// Checks are incremental (each entry is verified once per node, again only after a
// truncation), so running them after every event stays cheap.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/fsm/url_store.h"
#include "core/types.h"
#include "io/sim/cluster.h"

namespace raftlink::sim {

struct Violation {
    enum class Kind { Safety, Liveness };
    Kind kind = Kind::Safety;
    std::string property;  // e.g. "election safety"
    std::string detail;
};

class Checker {
public:
    explicit Checker(std::size_t node_count);

    /// Checks the cluster's current state; call after every event.
    std::optional<Violation> check(const Cluster& cluster);
    /// A client was told its create succeeded.
    std::optional<Violation> on_create_acknowledged(const fsm::UrlRecord& record);
    /// A client read `url` (or nothing) for `code` from some replica.
    std::optional<Violation> on_read(const std::string& code, const std::optional<std::string>& url);
    /// End of run. `quiet` says whether faults healed long enough ago to demand progress.
    std::optional<Violation> at_end(const Cluster& cluster, bool quiet) const;

    std::size_t acknowledged() const { return acknowledged_.size(); }

private:
    struct NodeState {
        std::uint64_t incarnation = 0;
        LogIndex verified;          // log entries 1..verified passed the log matching check
        std::uint64_t truncations = 0;
        LogIndex applied_checked;   // applied entries 1..applied_checked were compared
    };
    struct EntrySignature {
        std::uint64_t data_hash = 0;
        Term previous_term;
    };
    std::optional<Violation> check_node(const Cluster& cluster, std::size_t index);
    std::optional<Violation> check_log_matching(std::size_t index, const raft::Log& log);
    std::optional<Violation> check_applied(std::size_t index, const Replica& replica);

    std::vector<NodeState> nodes_;
    std::map<Term, NodeId> leader_by_term_;
    std::map<std::pair<LogIndex, Term>, EntrySignature> entries_;
    std::map<LogIndex, std::pair<Term, std::uint64_t>> applied_;
    std::map<std::string, fsm::UrlRecord> acknowledged_;
};

}  // namespace raftlink::sim
