// SPDX-License-Identifier: MIT
// The properties a simulation checks, after every event.
//
// Safety (Raft, Figure 3): election safety (at most one leader per term), leader append-only
// (a leader never overwrites or deletes entries of its log while leader of a term), log
// matching (two logs with an entry of the same index and term are identical up to it), leader
// completeness (every committed entry is in the log of every later leader) and state machine
// safety (no two nodes apply or commit different entries at one index). Per node: the commit
// index never decreases within an incarnation, the term never decreases even across restarts.
// Service: a short id maps to one URL forever, a read never returns a URL other than the one
// acknowledged for that id, and once a node (restarted or not) has applied past an
// acknowledged create's index, it holds that create. At the end of a run whose faults healed
// long enough ago: a leader exists and has applied every acknowledged create.
//
// Checks are incremental (each entry is verified once per node, again only after a
// truncation or a restart), so running them after every event stays cheap. A node that ran
// nothing since its last check (Cluster::activity()) is skipped at once; one whose
// observable state did not change since its last check (same incarnation, role, term, log
// length and truncations, stable, commit and applied indexes: see NodeFingerprint) has
// nothing new to verify and is skipped; most events touch one node of the cluster. The
// property logic lives in raft_properties.h as pure functions.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/fsm/url_store.h"
#include "core/types.h"
#include "io/sim/cluster.h"
#include "io/sim/raft_properties.h"
#include "io/sim/text_index.h"

namespace raftlink::sim {

struct Violation {
    enum class Kind { Safety, Liveness };
    Kind kind = Kind::Safety;
    std::string property;  // e.g. "election safety"
    std::string detail;
};

class Checker {
public:
    /// `code_key` is the cluster's short-code key (Cluster::code_key()).
    Checker(std::size_t node_count, std::uint64_t code_key);

    /// Checks the cluster's current state; call after every event. Inline, since most events
    /// touch one node: the scan for the nodes that ran something must cost next to nothing.
    std::optional<Violation> check(const Cluster& cluster) {
        if (cluster.activity_total() == settled_at_ + 1) {
            // One occasion since the last scan, the usual case: the scan would skip every node
            // but the one it counted for.
            if (auto violation = check_active(cluster, cluster.last_active())) return violation;
            settled_at_ = cluster.activity_total();
        } else if (cluster.activity_total() != settled_at_) {  // else it would skip every node
            for (std::size_t i = 0; i < cluster.size(); ++i) {
                if (nodes_[i].activity_checked == cluster.activity(i)) continue;
                if (auto violation = check_active(cluster, i)) return violation;
            }
            settled_at_ = cluster.activity_total();  // every node checked as of its activity()
        }
        if (newly_acknowledged_.empty()) return std::nullopt;  // nearly every event
        return check_newly_acknowledged(cluster);
    }
    /// A client was told its create succeeded.
    std::optional<Violation> on_create_acknowledged(const fsm::UrlRecord& record);
    /// A client read `url` (or nothing) for `code` from some replica.
    std::optional<Violation> on_read(const std::string& code,
                                     const std::optional<std::string>& url);
    /// End of run. `quiet` says whether faults healed long enough ago to demand progress;
    /// then a leader must lead at the end unless the cluster lost its last one only
    /// `leaderless_for` <= `bound` ago (a leader deposed so late, as CheckQuorum may do on a
    /// lossy network, has missed no deadline yet), and the leader must know every
    /// acknowledged create.
    std::optional<Violation> at_end(const Cluster& cluster, bool quiet, Nanos leaderless_for,
                                    Nanos bound) const;

    std::size_t acknowledged() const { return acknowledged_.size(); }
    /// Changes (as of the last check()) whenever a node became or stopped being leader, went
    /// down or came up as leader, or led another term: Cluster::leader() changes only then,
    /// so the run loop asks it again only then.
    std::uint64_t leadership_version() const { return leadership_version_; }

private:
    std::optional<Violation> check_promises_kept(const Cluster& cluster, std::size_t index) const;
    std::optional<Violation> duplicate_create(std::size_t index, const fsm::UrlStore& store) const;
    /// The first contents met of a log entry (index, term): where its data is kept in
    /// contents_, the id its stamps carry, and its predecessor's term. Later terms met at the
    /// same index are chained (`next`: 1 + their position in other_terms_, 0 for none).
    struct EntrySignature {
        Term term;
        Term previous_term;
        std::uint64_t id = 0;  // 0: no entry met at this index yet
        std::size_t data_begin = 0;
        std::size_t data_size = 0;
        std::size_t next = 0;
    };
    /// A leader's log as of the last check, while it is leader of `term`.
    struct LeaderLog {
        Term term;
        std::uint64_t incarnation = 0;
        std::uint64_t truncations = 0;
        std::vector<EntryStamp> stamps;
    };
    /// Everything the per-node checks read that can change: when it is equal to what the
    /// last check saw, every per-node check would find nothing new. A log changes only by
    /// appending (last index) or truncating (truncation count), the store only by applying.
    struct NodeFingerprint {
        std::uint64_t incarnation = 0;
        raft::Role role = raft::Role::Follower;
        Term term;
        LogIndex last_index;
        std::uint64_t truncations = 0;
        LogIndex stable_index;
        LogIndex commit_index;
        LogIndex applied_index;
        LogIndex store_applied_index;
        bool operator==(const NodeFingerprint&) const = default;
    };
    static NodeFingerprint fingerprint(const Replica& replica, std::uint64_t incarnation) {
        const raft::Node& node = replica.node();
        return NodeFingerprint{incarnation,                   node.role(),
                               node.current_term(),           node.log().last_index(),
                               node.log().truncation_count(), node.log().stable_index(),
                               node.commit_index(),           node.applied_index(),
                               replica.store().applied_index()};
    }

    /// What is checked of one node so far. The first group restarts with every incarnation.
    struct NodeState {
        std::optional<NodeFingerprint> checked;  // as of the last check that passed
        /// Cluster::activity() as of the node's last check (up or down); ~0 before the first.
        std::uint64_t activity_checked = ~std::uint64_t{0};
        /// The term the node leads as of its last check; Term 0 when down or not leader.
        Term leads;
        std::uint64_t incarnation = 0;
        LogIndex verified;          // log entries 1..verified passed the log matching check
        /// The stamps of log entries 1..verified (the log's prefix that cannot have changed
        /// since), so that the later checks of an entry do not hash it again.
        std::vector<EntryStamp> stamps;
        std::uint64_t truncations = 0;
        LogIndex applied_checked;   // applied entries 1..applied_checked were compared
        LogIndex commit_recorded;   // committed entries 1..commit_recorded were compared
        LogIndex durability_checked;  // acknowledged creates up to here were found applied
        std::uint64_t commit_index_seen = 0;

        // Across incarnations.
        std::uint64_t term_seen = 0;
        /// A lower bound on the node's durable term: a term it led in (its vote for itself
        /// was persisted before any vote for it arrived) or of an entry on its disk.
        std::uint64_t term_durable_min = 0;
        std::optional<LeaderLog> leader_log;
    };
    void note_leads(NodeState& state, Term leads) {
        if (state.leads == leads) return;
        state.leads = leads;
        ++leadership_version_;
    }
    /// A node that ran something since its last check (or was never checked).
    std::optional<Violation> check_active(const Cluster& cluster, std::size_t index);
    /// `replica` is the node's (up) and `now` its fingerprint, as check_active() already read
    /// them; it differs from the last check's.
    std::optional<Violation> check_node(const Cluster& cluster, std::size_t index,
                                        const Replica& replica, const NodeFingerprint& now);
    std::optional<Violation> check_monotonic(std::size_t index, const raft::Node& node,
                                             bool restarted);
    /// check_monotonic()'s report: the term or the commit index went back.
    [[gnu::cold, gnu::noinline]] std::optional<Violation> went_backwards_violation(
        std::size_t index, std::uint64_t term, std::uint64_t commit_index, bool restarted);
    std::optional<Violation> check_leader(std::size_t index, const raft::Node& node,
                                          const Cluster& cluster);
    std::optional<Violation> check_log_matching(std::size_t index, const raft::Log& log);
    /// The id of the data of entry (`entry`, `term`) after `previous_term`, or nullopt if
    /// another node's entry (`entry`, `term`) had other data or another predecessor.
    std::optional<std::uint64_t> signature_id(LogIndex entry, Term term, Term previous_term,
                                              ByteView data);
    /// The stamp of `log`'s entry at `entry`, from the node's verified stamps (inline: the
    /// checks ask for every committed and applied entry of every node).
    EntryStamp stamp(std::size_t index, const raft::Log& log, LogIndex entry) const {
        const std::vector<EntryStamp>& stamps = nodes_[index].stamps;
        if (entry.value >= 1 && entry.value <= stamps.size()) return stamps[entry.value - 1];
        return unverified_stamp(log, entry);
    }
    [[noreturn]] static EntryStamp unverified_stamp(const raft::Log& log, LogIndex entry);
    /// Stamps of `log`'s entries [from, last_index()] appended to `out`, as stamp() gives them.
    void append_stamps(std::size_t index, const raft::Log& log, LogIndex from,
                       std::vector<EntryStamp>& out) const;
    std::optional<Violation> check_committed(std::size_t index, const raft::Node& node);
    std::optional<Violation> check_applied(std::size_t index, const Replica& replica);
    std::optional<Violation> check_durable(std::size_t index, const Replica& replica);
    std::optional<Violation> check_newly_acknowledged(const Cluster& cluster);
    std::vector<const fsm::UrlRecord*> acknowledged_in_code_order() const;
    /// For at_end: the store of an up node that has applied the most, if it holds every
    /// acknowledged create up to its applied index, every one found by its index, and stores
    /// no URL twice; else null.
    const fsm::UrlStore* passing_store(const Cluster& cluster) const;

    std::size_t node_count_;
    std::uint64_t code_key_;
    std::vector<NodeState> nodes_;
    /// Cluster::activity_total() at the end of the last scan, after which every node was checked
    /// as of its activity(): until it changes, a scan would skip every node, and one occasion
    /// later, every node but Cluster::last_active(). Before the first scan, a value that
    /// activity_total() (from 0 up) neither equals nor exceeds by one: the first check() scans.
    std::uint64_t settled_at_ = ~std::uint64_t{0} - 1;
    std::uint64_t leadership_version_ = 0;
    std::map<Term, NodeId> leader_by_term_;
    /// By log index (entry i at position i - 1): the signature of the first term met there
    /// (nearly always the only one), the others in other_terms_. Flat, so that recording an
    /// entry allocates nothing but amortized growth.
    std::vector<EntrySignature> entries_;
    std::vector<EntrySignature> other_terms_;
    /// The data of every signature, back to back: a later node's entry is compared with it
    /// byte for byte (cheaper than hashing every entry of every node, and exact).
    std::vector<std::uint8_t> contents_;
    std::uint64_t signatures_ = 0;  // signatures recorded: the next id
    /// By log index (entry i at position i - 1): the entry applied there; Term 0 for none yet.
    std::vector<EntryStamp> applied_;
    /// The committed prefix of the log as any node reported it: entry i at position i - 1.
    std::vector<EntryStamp> committed_;
    /// For each entry of committed_, the term in which it was known committed: the term of the
    /// node that first reported it, raised to its predecessor's so that the sequence never
    /// decreases. Leader completeness binds leaders of later terms only.
    std::vector<Term> committed_in_;
    /// Acknowledged creates, one per short id, in the order acknowledged; a report that lists
    /// them walks them in id order (acknowledged_in_code_order()). A deque: they never move, so
    /// the views and pointers below point into it.
    std::deque<AcknowledgedCreate> acknowledged_;
    /// Their short ids to their positions in acknowledged_: looked up after every answer. A
    /// node-based map allocated and freed a node per create and hashed with std::hash.
    TextIndex acknowledged_by_code_;
    /// By log index (entry i at position i - 1): the first create acknowledged at i, or
    /// nullptr; so that a node's newly applied entries are looked up directly.
    std::vector<const AcknowledgedCreate*> acknowledged_by_index_;
    std::size_t acknowledged_indexes_ = 0;  // the non-null entries of acknowledged_by_index_
    /// Acknowledged since the last check: nodes may have applied past them already.
    std::vector<const AcknowledgedCreate*> newly_acknowledged_;
};

}  // namespace raftlink::sim
