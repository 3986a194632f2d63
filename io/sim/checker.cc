// SPDX-License-Identifier: MIT
#include "io/sim/checker.h"

#include "core/text.h"

namespace raftlink::sim {
namespace {

std::uint64_t hash_bytes(const Bytes& bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const std::uint8_t byte : bytes) {
        hash ^= byte;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

Violation safety(std::string property, std::string detail) {
    return Violation{Violation::Kind::Safety, std::move(property), std::move(detail)};
}

}  // namespace

Checker::Checker(std::size_t node_count) : nodes_(node_count) {}

std::optional<Violation> Checker::check(const Cluster& cluster) {
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        if (!cluster.up(i)) continue;
        if (auto violation = check_node(cluster, i)) return violation;
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_node(const Cluster& cluster, std::size_t index) {
    const Replica& replica = *cluster.replica(index);
    const raft::Node& node = replica.node();
    NodeState& state = nodes_[index];
    if (state.incarnation != cluster.incarnation(index)) {
        // A restarted node rebuilt its log from disk and its store from scratch.
        state = NodeState{cluster.incarnation(index), LogIndex(0), node.log().truncation_count(),
                          LogIndex(0)};
    }
    if (node.role() == raft::Role::Leader) {
        // Election safety (§5.2): at most one leader can be elected in a given term.
        const auto [it, inserted] = leader_by_term_.try_emplace(node.current_term(), node.id());
        if (!inserted && it->second != node.id()) {
            return safety("election safety", concat("nodes ", it->second, " and ", node.id(),
                                                    " were both leader in term ",
                                                    node.current_term()));
        }
    }
    if (auto violation = check_log_matching(index, node.log())) return violation;
    return check_applied(index, replica);
}

std::optional<Violation> Checker::check_log_matching(std::size_t index, const raft::Log& log) {
    NodeState& state = nodes_[index];
    if (log.truncation_count() != state.truncations) {
        // Re-verify from the latest truncation; several since the last check: from the start.
        const bool one = log.truncation_count() == state.truncations + 1;
        const LogIndex from = one ? log.last_truncated_from() : LogIndex(1);
        if (state.verified >= from) state.verified = from - 1;
        state.truncations = log.truncation_count();
    }
    if (state.verified > log.last_index()) state.verified = log.last_index();
    // Log matching (§5.3) by induction: every (index, term) pair must carry the same data and
    // follow the same previous term on every node, which makes matching prefixes identical.
    for (LogIndex i = state.verified + 1; i <= log.last_index(); i = i + 1) {
        const raft::Entry& entry = log.at(i);
        const EntrySignature signature{hash_bytes(entry.data), log.term_at(i - 1)};
        const auto [it, inserted] = entries_.try_emplace({i, entry.term}, signature);
        if (!inserted && (it->second.data_hash != signature.data_hash ||
                          it->second.previous_term != signature.previous_term)) {
            return safety("log matching",
                          concat("node ", index + 1, " holds entry ", i, "/", entry.term,
                                 " with other contents or a different predecessor than another "
                                 "node's entry ", i, "/", entry.term));
        }
        state.verified = i;
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_applied(std::size_t index, const Replica& replica) {
    NodeState& state = nodes_[index];
    const raft::Node& node = replica.node();
    // State machine safety (§5.4.3): if a server has applied an entry at an index, no other
    // server ever applies a different entry at that index.
    for (LogIndex i = state.applied_checked + 1; i <= node.applied_index(); i = i + 1) {
        const raft::Entry& entry = node.log().at(i);
        const auto applied = std::make_pair(entry.term, hash_bytes(entry.data));
        const auto [it, inserted] = applied_.try_emplace(i, applied);
        if (!inserted && it->second != applied) {
            return safety("state machine safety",
                          concat("node ", index + 1, " applied entry ", i, "/", entry.term,
                                 " but another node applied ", i, "/", it->second.first));
        }
        state.applied_checked = i;
    }
    if (replica.store().applied_index() != node.applied_index()) {
        return safety("state machine safety",
                      concat("node ", index + 1, " store applied ", replica.store().applied_index(),
                             " but raft applied ", node.applied_index()));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::on_create_acknowledged(const fsm::UrlRecord& record) {
    const auto [it, inserted] = acknowledged_.try_emplace(record.code, record);
    if (!inserted && it->second.url != record.url) {
        return safety("unique short ids",
                      concat("short id ", record.code, " was acknowledged for ", it->second.url,
                             " and for ", record.url));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::on_read(const std::string& code,
                                          const std::optional<std::string>& url) {
    if (!url) return std::nullopt;  // a stale replica may not know the id yet
    const auto it = acknowledged_.find(code);
    if (it != acknowledged_.end() && it->second.url != *url) {
        return safety("never a wrong URL", concat("short id ", code, " resolved to ", *url,
                                                  " but was created for ", it->second.url));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::at_end(const Cluster& cluster, bool quiet) const {
    // Durability: every node holds every acknowledged create it has applied up to.
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Replica* replica = cluster.replica(i);
        if (replica == nullptr) continue;
        for (const auto& [code, record] : acknowledged_) {
            if (record.index > replica->store().applied_index()) continue;
            const auto found = replica->store().lookup(code);
            if (!found || found->url != record.url) {
                return safety("acknowledged writes are durable",
                              concat("node ", i + 1, " applied index ",
                                     replica->store().applied_index(), " but lacks short id ",
                                     code, " (index ", record.index, ")"));
            }
        }
    }
    if (!quiet) return std::nullopt;
    const auto leader = cluster.leader();
    if (!leader) {
        return Violation{Violation::Kind::Liveness, "leader elected after healing",
                         "no leader at the end of the run"};
    }
    for (const auto& [code, record] : acknowledged_) {
        if (!cluster.replica(*leader)->store().lookup(code)) {
            return Violation{Violation::Kind::Liveness, "leader has every acknowledged write",
                             concat("leader ", *leader + 1, " has not applied short id ", code,
                                    " (index ", record.index, ")")};
        }
    }
    return std::nullopt;
}

}  // namespace raftlink::sim
