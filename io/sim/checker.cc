// SPDX-License-Identifier: MIT
#include "io/sim/checker.h"

#include <algorithm>
#include <span>

#include "core/assert.h"
#include "core/raft/quorum.h"
#include "core/text.h"

namespace raftlink::sim {
namespace {

Violation safety(std::string property, std::string detail) {
    return Violation{Violation::Kind::Safety, std::move(property), std::move(detail)};
}

std::optional<Violation> lacks_acknowledged(std::size_t index, const Replica& replica,
                                            const fsm::UrlRecord& record) {
    const fsm::UrlRecord* found = replica.store().find(record.code);
    if (found != nullptr && found->url == record.url) return std::nullopt;
    return safety("acknowledged writes are durable",
                  concat("node ", index + 1, " applied index ", replica.store().applied_index(),
                         " but lacks short id ", record.code, " (index ", record.index, ")"));
}

}  // namespace

Checker::Checker(std::size_t node_count, std::uint64_t code_key)
    : node_count_(node_count), code_key_(code_key), nodes_(node_count) {}

std::optional<Violation> Checker::check_active(const Cluster& cluster, std::size_t index) {
    NodeState& state = nodes_[index];
    state.activity_checked = cluster.activity(index);
    const Replica* replica = cluster.replica(index);
    if (replica == nullptr) {  // down: nothing to check until it restarts (which it notes)
        note_leads(state, Term(0));
        return std::nullopt;
    }
    const NodeFingerprint now = fingerprint(*replica, cluster.incarnation(index));
    note_leads(state, now.role == raft::Role::Leader ? now.term : Term(0));
    if (state.checked == now) return std::nullopt;  // nothing changed: nothing new to verify
    if (auto violation = check_node(cluster, index, *replica, now)) return violation;
    state.checked = now;
    return std::nullopt;
}

std::optional<Violation> Checker::check_node(const Cluster& cluster, std::size_t index,
                                             const Replica& replica, const NodeFingerprint& now) {
    const raft::Node& node = replica.node();
    NodeState& state = nodes_[index];
    const bool restarted = state.incarnation != now.incarnation;
    if (restarted) {
        // A restarted node rebuilt its log from disk and its store from scratch; what it
        // persisted (term, log) is still held to what was seen before.
        state.incarnation = now.incarnation;
        state.verified = LogIndex(0);
        state.truncations = node.log().truncation_count();
        state.applied_checked = LogIndex(0);
        state.commit_recorded = LogIndex(0);
        state.durability_checked = LogIndex(0);
        state.commit_index_seen = 0;
        if (auto violation = check_promises_kept(cluster, index)) return violation;
    }
    if (const auto& acknowledgement = cluster.undurable_acknowledgement(index)) {
        return safety("persistent state", *acknowledgement);
    }
    // Each check below resumes where its last pass stopped, so one whose inputs (the fields of
    // the fingerprint it reads) are as the last check saw them would find nothing new: it is
    // skipped. Most changes touch one or two fields (an append, a commit, an apply).
    const NodeFingerprint* before = restarted || !state.checked ? nullptr : &*state.checked;
    const bool log_changed = before == nullptr || before->last_index != now.last_index ||
                             before->truncations != now.truncations;
    // An append changes nothing check_monotonic() reads (the term of the stable entry changes
    // only with the stable index or a truncation).
    if (before == nullptr || before->truncations != now.truncations || before->term != now.term ||
        before->role != now.role || before->commit_index != now.commit_index ||
        before->stable_index != now.stable_index) {
        if (auto violation = check_monotonic(index, node, restarted)) return violation;
    }
    if (log_changed) {
        if (auto violation = check_log_matching(index, node.log())) return violation;
    }
    if (before == nullptr || before->commit_index != now.commit_index) {
        if (auto violation = check_committed(index, node)) return violation;
    }
    if (node.role() == raft::Role::Leader &&
        (log_changed || before->term != now.term || before->role != now.role)) {
        if (auto violation = check_leader(index, node, cluster)) return violation;
    }
    if (before == nullptr || before->applied_index != now.applied_index ||
        before->store_applied_index != now.store_applied_index) {
        if (auto violation = check_applied(index, replica)) return violation;
        return check_durable(index, replica);
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_promises_kept(const Cluster& cluster,
                                                      std::size_t index) const {
    // Figure 2: currentTerm and votedFor are updated on stable storage before responding to
    // RPCs. A restarted node must come back with at least the term it spoke in, and with the
    // vote it granted in that term; otherwise it could vote twice in one term (§5.2).
    const raft::Node& node = cluster.replica(index)->node();
    const Cluster::Promises& promised = cluster.promises(index);
    if (node.current_term() < promised.term) {
        return safety("persistent state",
                      concat("node ", index + 1, " restarted in term ", node.current_term(),
                             " after sending a message of term ", promised.term));
    }
    if (node.current_term() == promised.term && promised.vote != no_node &&
        node.voted_for() != promised.vote) {
        return safety("persistent state",
                      concat("node ", index + 1, " restarted in term ", promised.term,
                             " with its vote for node ", node.voted_for(),
                             ", but it had granted its vote to node ", promised.vote));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_monotonic(std::size_t index, const raft::Node& node,
                                                  bool restarted) {
    NodeState& state = nodes_[index];
    // Figure 2: currentTerm is persistent state and only ever increases (§5.1); a restart may
    // lose a term not yet durable, never one the node already acted on. The commit index is
    // volatile (Figure 2) but never decreases within an incarnation.
    if (restarted) state.term_seen = std::min(state.term_seen, state.term_durable_min);
    const std::uint64_t term = node.current_term().value;
    const std::uint64_t commit_index = node.commit_index().value;
    // The report is out of line: with its messages built here, GCC kept this check out of
    // check_node(), a call for every change of a term, commit or stable index (speed-5 seed 1:
    // 31,053 checks; 246.6M instructions with the report here, 245.5M out of line).
    if (term < state.term_seen || commit_index < state.commit_index_seen) {
        return went_backwards_violation(index, term, commit_index, restarted);
    }
    state.term_seen = term;
    state.commit_index_seen = commit_index;
    const raft::Log& log = node.log();
    state.term_durable_min =
        std::max(state.term_durable_min, log.term_at(log.stable_index()).value);
    // A lone node wins its election before persisting its vote for itself.
    if (node.role() == raft::Role::Leader && node_count_ > 1) {
        state.term_durable_min = std::max(state.term_durable_min, term);
    }
    return std::nullopt;
}

std::optional<Violation> Checker::went_backwards_violation(std::size_t index, std::uint64_t term,
                                                           std::uint64_t commit_index,
                                                           bool restarted) {
    NodeState& state = nodes_[index];
    if (auto decrease = went_backwards("term", state.term_seen, term)) {
        return safety("term never decreases",
                      concat("node ", index + 1, ": ", *decrease,
                             restarted ? " across a restart" : ""));
    }
    if (auto decrease = went_backwards("commit index", state.commit_index_seen, commit_index)) {
        return safety("commit index never decreases", concat("node ", index + 1, ": ", *decrease));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_leader(std::size_t index, const raft::Node& node,
                                               const Cluster& cluster) {
    const raft::Log& log = node.log();
    NodeState& state = nodes_[index];
    // Election safety (§5.2): at most one leader can be elected in a given term.
    const auto [it, inserted] = leader_by_term_.try_emplace(node.current_term(), node.id());
    if (!inserted && it->second != node.id()) {
        return safety("election safety", concat("nodes ", it->second, " and ", node.id(),
                                                " were both leader in term ",
                                                node.current_term()));
    }
    if (inserted) {
        // §5.2: a candidate wins with votes from a majority for the same term. Grants it never
        // received in this term (of an earlier election, say) must not have counted.
        const std::size_t votes = cluster.votes_sent(node.current_term(), node.id()) + 1;
        if (votes < raft::majority(cluster.size())) {
            return safety("election safety",
                          concat("node ", node.id(), " became leader of term ",
                                 node.current_term(), " with ", votes, " of ", cluster.size(),
                                 " votes of that term (itself included)"));
        }
    }
    if (!state.leader_log || state.leader_log->term != node.current_term()) {
        LeaderLog leader{node.current_term(), state.incarnation, log.truncation_count(), {}};
        append_stamps(index, log, LogIndex(1), leader.stamps);
        // Leader completeness (§5.4.1): an entry committed in a term must be in the log of
        // every leader of a later term. A node that wins a stale election (it counted its
        // votes before a pause, say) may lead an earlier term than entries already committed.
        const auto later = std::partition_point(
            committed_in_.begin(), committed_in_.end(),
            [&](Term committed_in) { return committed_in < node.current_term(); });
        const std::span<const EntryStamp> binding(
            committed_.data(), static_cast<std::size_t>(later - committed_in_.begin()));
        if (auto missing = first_entry_not_kept(binding, leader.stamps)) {
            return safety("leader completeness",
                          concat("node ", index + 1, " became leader of term ",
                                 node.current_term(), " without committed entry ", *missing,
                                 "/", committed_[missing->value - 1].term));
        }
        state.leader_log = std::move(leader);
        return std::nullopt;
    }
    // Leader append-only (§5.3): entries change only by truncation, so unless the log was
    // truncated, shrank, has another term at its old tail or the node restarted, appending
    // the new entries is enough; otherwise compare it all.
    LeaderLog& leader = *state.leader_log;
    const std::size_t known = leader.stamps.size();
    const bool suspect = leader.incarnation != state.incarnation ||
                         leader.truncations != log.truncation_count() ||
                         log.last_index().value < known ||
                         (known > 0 && log.term_at(LogIndex(known)) != leader.stamps.back().term);
    if (!suspect) {
        append_stamps(index, log, LogIndex(known + 1), leader.stamps);
        return std::nullopt;
    }
    std::vector<EntryStamp> now;
    append_stamps(index, log, LogIndex(1), now);
    if (auto lost = first_entry_not_kept(leader.stamps, now)) {
        return safety("leader append-only",
                      concat("node ", index + 1, " overwrote or deleted entry ", *lost, "/",
                             leader.stamps[lost->value - 1].term,
                             " of its log while leader of term ", leader.term));
    }
    leader = LeaderLog{leader.term, state.incarnation, log.truncation_count(), std::move(now)};
    return std::nullopt;
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
    const LogIndex last = log.last_index();
    if (state.verified > last) state.verified = last;
    if (state.stamps.size() != state.verified.value) state.stamps.resize(state.verified.value);
    if (state.verified == last) return std::nullopt;
    // Log matching (§5.3) by induction: every (index, term) pair must carry the same data and
    // follow the same previous term on every node, which makes matching prefixes identical.
    if (entries_.size() < last.value) entries_.resize(last.value);
    Term previous = log.term_at(state.verified);
    for (LogIndex i = state.verified + 1; i <= last; i = i + 1) {
        const Term term = log.term_at(i);
        const std::optional<std::uint64_t> id = signature_id(i, term, previous, log.payload(i));
        if (!id) {
            return safety("log matching",
                          concat("node ", index + 1, " holds entry ", i, "/", term,
                                 " with other contents or a different predecessor than another "
                                 "node's entry ", i, "/", term));
        }
        state.stamps.push_back(EntryStamp{term, *id});
        state.verified = i;
        previous = term;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> Checker::signature_id(LogIndex entry, Term term, Term previous_term,
                                                   ByteView data) {
    EntrySignature* signature = &entries_[entry.value - 1];
    if (signature->id != 0) {  // entries were met at this index: one of this term?
        while (signature->term != term && signature->next != 0) {
            signature = &other_terms_[signature->next - 1];
        }
        if (signature->term == term) {
            const bool same =
                signature->previous_term == previous_term && signature->data_size == data.size() &&
                std::equal(data.begin(), data.end(), contents_.data() + signature->data_begin);
            if (!same) return std::nullopt;
            return signature->id;
        }
        signature->next = other_terms_.size() + 1;  // the first of this term: chained
        signature = &other_terms_.emplace_back();
    }
    *signature =
        EntrySignature{term, previous_term, ++signatures_, contents_.size(), data.size(), 0};
    contents_.insert(contents_.end(), data.begin(), data.end());
    return signature->id;
}

EntryStamp Checker::unverified_stamp(const raft::Log& log, LogIndex entry) {
    // check_log_matching() verified the whole log before anything asks for a stamp, so this is
    // an entry past the log's end (a commit index beyond it, say): Log::at() fails loudly.
    (void)log.at(entry);
    UNREACHABLE();  // an entry of the log that check_log_matching() did not verify
}

void Checker::append_stamps(std::size_t index, const raft::Log& log, LogIndex from,
                            std::vector<EntryStamp>& out) const {
    // The verified entries (all of them, after check_log_matching()) in one copy: a new
    // leader's whole log is stamped.
    const std::vector<EntryStamp>& stamps = nodes_[index].stamps;
    const std::uint64_t verified_end =
        std::min<std::uint64_t>(stamps.size(), log.last_index().value);
    LogIndex i = from;
    if (i.value >= 1 && i.value <= verified_end) {
        out.insert(out.end(), stamps.begin() + static_cast<std::ptrdiff_t>(i.value - 1),
                   stamps.begin() + static_cast<std::ptrdiff_t>(verified_end));
        i = LogIndex(verified_end + 1);
    }
    for (; i <= log.last_index(); i = i + 1) out.push_back(stamp(index, log, i));
}

std::optional<Violation> Checker::check_committed(std::size_t index, const raft::Node& node) {
    NodeState& state = nodes_[index];
    // Committed entries are final (§5.4): every node that commits index i commits one entry.
    // Entries verified on this node and committed before, the common case (a restarted node
    // commits its whole log again), are compared as two arrays; the loop below reports a
    // difference and records the entries committed first here.
    std::uint64_t recorded = state.commit_recorded.value;
    const std::uint64_t both =
        std::min({node.commit_index().value, committed_.size(), state.stamps.size()});
    while (recorded < both && state.stamps[recorded] == committed_[recorded]) ++recorded;
    state.commit_recorded = LogIndex(recorded);
    for (LogIndex i = state.commit_recorded + 1; i <= node.commit_index(); i = i + 1) {
        const EntryStamp stamp = this->stamp(index, node.log(), i);
        if (i.value <= committed_.size()) {
            const EntryStamp& earlier = committed_[i.value - 1];
            if (earlier != stamp) {
                return safety("state machine safety",
                              concat("node ", index + 1, " committed entry ", i, "/", stamp.term,
                                     " but ", i, "/", earlier.term,
                                     " was committed before with other contents"));
            }
        } else {
            ASSERT_EQ(i.value, committed_.size() + 1);
            committed_.push_back(stamp);
            committed_in_.push_back(committed_in_.empty()
                                        ? node.current_term()
                                        : std::max(committed_in_.back(), node.current_term()));
        }
        state.commit_recorded = i;
    }
    return std::nullopt;
}

std::optional<Violation> Checker::check_applied(std::size_t index, const Replica& replica) {
    NodeState& state = nodes_[index];
    const raft::Node& node = replica.node();
    // State machine safety (§5.4.3): if a server has applied an entry at an index, no other
    // server ever applies a different entry at that index. Entries verified on this node are
    // compared as two arrays (a restarted node applies its whole log again); the loop below
    // reports a difference.
    if (applied_.size() < node.applied_index().value) applied_.resize(node.applied_index().value);
    std::uint64_t checked = state.applied_checked.value;
    const std::uint64_t both = std::min(node.applied_index().value, state.stamps.size());
    for (; checked < both; ++checked) {
        EntryStamp& earlier = applied_[checked];
        if (earlier.term == Term(0)) {
            earlier = state.stamps[checked];  // the first node to apply the entry
        } else if (earlier != state.stamps[checked]) {
            break;
        }
    }
    state.applied_checked = LogIndex(checked);
    for (LogIndex i = state.applied_checked + 1; i <= node.applied_index(); i = i + 1) {
        const EntryStamp applied = stamp(index, node.log(), i);
        EntryStamp& earlier = applied_[i.value - 1];
        if (earlier.term == Term(0)) {
            earlier = applied;  // the first node to apply index i
        } else if (earlier != applied) {
            return safety("state machine safety",
                          concat("node ", index + 1, " applied entry ", i, "/", applied.term,
                                 " but another node applied ", i, "/", earlier.term));
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

std::optional<Violation> Checker::check_durable(std::size_t index, const Replica& replica) {
    NodeState& state = nodes_[index];
    // An acknowledged write is never lost, across crashes too: once a node has applied past an
    // acknowledged create's index, its store holds the create.
    const LogIndex applied = replica.store().applied_index();
    if (applied <= state.durability_checked) return std::nullopt;
    const fsm::UrlRecord* missing = first_acknowledged_missing(
        replica.store(), acknowledged_by_index_, state.durability_checked);
    if (missing != nullptr) return lacks_acknowledged(index, replica, *missing);
    state.durability_checked = applied;
    return std::nullopt;
}

std::optional<Violation> Checker::check_newly_acknowledged(const Cluster& cluster) {
    // A create acknowledged after a node applied past its index was skipped by check_durable.
    for (const AcknowledgedCreate* create : newly_acknowledged_) {
        for (std::size_t i = 0; i < cluster.size(); ++i) {
            if (!cluster.up(i) || nodes_[i].durability_checked < create->record.index) continue;
            if (!store_holds(cluster.replica(i)->store(), *create)) {
                return lacks_acknowledged(i, *cluster.replica(i), create->record);
            }
        }
    }
    newly_acknowledged_.clear();
    return std::nullopt;
}

std::optional<Violation> Checker::on_create_acknowledged(const fsm::UrlRecord& record) {
    const std::uint64_t known = acknowledged_by_code_.find(record.code);
    if (known != TextIndex::none) {
        const fsm::UrlRecord& earlier = acknowledged_[known].record;
        if (earlier.url == record.url) return std::nullopt;
        return safety("unique short ids", concat("short id ", record.code, " was acknowledged for ",
                                                 earlier.url, " and for ", record.url));
    }
    const AcknowledgedCreate* create =
        &acknowledged_.emplace_back(acknowledged_create(record, code_key_));
    acknowledged_by_code_.emplace(create->record.code, acknowledged_.size() - 1);
    const std::uint64_t index = record.index.value;
    if (index >= 1) {
        if (acknowledged_by_index_.size() < index) acknowledged_by_index_.resize(index);
        if (acknowledged_by_index_[index - 1] == nullptr) {
            acknowledged_by_index_[index - 1] = create;
            ++acknowledged_indexes_;
        }
    }
    newly_acknowledged_.push_back(create);
    return std::nullopt;
}

std::optional<Violation> Checker::on_read(const std::string& code,
                                          const std::optional<std::string>& url) {
    if (!url) return std::nullopt;  // a stale replica may not know the id yet
    const std::uint64_t known = acknowledged_by_code_.find(code);
    if (known != TextIndex::none && acknowledged_[known].record.url != *url) {
        return safety("never a wrong URL", concat("short id ", code, " resolved to ", *url,
                                                  " but was created for ",
                                                  acknowledged_[known].record.url));
    }
    return std::nullopt;
}

std::optional<Violation> Checker::duplicate_create(std::size_t index,
                                                   const fsm::UrlStore& store) const {
    // The workload never creates one URL twice (each URL names its client and operation), so
    // a URL stored under two ids is a retry that the idempotency key failed to deduplicate.
    const auto duplicate = first_duplicate_url(store);
    if (!duplicate) return std::nullopt;
    return Violation{Violation::Kind::Safety, "idempotent creates",
                     concat("node ", index + 1, " stores ", duplicate->url,
                            " under two short ids, ", duplicate->first_code, " and ",
                            duplicate->second_code)};
}

std::optional<Violation> Checker::at_end(const Cluster& cluster, bool quiet,
                                         Nanos leaderless_for, Nanos bound) const {
    // Durability: every node holds every acknowledged create it has applied up to.
    const fsm::UrlStore* reference = passing_store(cluster);
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Replica* replica = cluster.replica(i);
        if (replica == nullptr) continue;
        const fsm::UrlStore& store = replica->store();
        // A store that holds the reference's URLs up to its applied index passes as the
        // reference did: every acknowledged create is found by the URL at its index, which is
        // the reference's, and the store's records are some of the reference's, so no URL is
        // stored twice. Comparing is cheaper than indexing every URL of every store.
        if (reference != nullptr && store.code_key() == code_key_ &&
            store.applied_index() <= reference->applied_index() &&
            (&store == reference || store.same_urls_through(*reference, store.applied_index()))) {
            continue;
        }
        // By index first, which is cheap; a store that fails is reported in the order of the
        // short ids, as before. (Two ids acknowledged at one index fail the cheap pass.)
        const bool holds_all =
            acknowledged_indexes_ == acknowledged_.size() &&
            first_acknowledged_missing(store, acknowledged_by_index_, LogIndex(0)) == nullptr;
        if (!holds_all) {
            for (const fsm::UrlRecord* record : acknowledged_in_code_order()) {
                if (record->index > store.applied_index()) continue;
                if (auto violation = lacks_acknowledged(i, *replica, *record)) return violation;
            }
        }
        if (auto violation = duplicate_create(i, replica->store())) return violation;
    }
    if (!quiet) return std::nullopt;
    const auto leader = cluster.leader();
    if (!leader) {
        if (leaderless_for <= bound) return std::nullopt;
        return Violation{Violation::Kind::Liveness, "leader elected after healing",
                         concat("no leader at the end of the run, nor in its last ",
                                format_millis(leaderless_for), " ms (bound ",
                                format_millis(bound), " ms)")};
    }
    const fsm::UrlStore& leader_store = cluster.replica(*leader)->store();
    const bool knows_all =
        acknowledged_indexes_ == acknowledged_.size() &&
        std::all_of(acknowledged_by_index_.begin(), acknowledged_by_index_.end(),
                    [&](const AcknowledgedCreate* create) {
                        return create == nullptr || store_knows(leader_store, *create);
                    });
    if (knows_all) return std::nullopt;
    for (const fsm::UrlRecord* record : acknowledged_in_code_order()) {
        if (leader_store.find(record->code) == nullptr) {
            return Violation{Violation::Kind::Liveness, "leader has every acknowledged write",
                             concat("leader ", *leader + 1, " has not applied short id ",
                                    record->code, " (index ", record->index, ")")};
        }
    }
    return std::nullopt;
}

const fsm::UrlStore* Checker::passing_store(const Cluster& cluster) const {
    const fsm::UrlStore* reference = nullptr;
    for (std::size_t i = 0; i < cluster.size(); ++i) {
        const Replica* replica = cluster.replica(i);
        if (replica == nullptr) continue;
        if (reference == nullptr || replica->store().applied_index() > reference->applied_index()) {
            reference = &replica->store();
        }
    }
    // Every acknowledged create at its own index, with the id of its index under the store's
    // key: store_holds() then asks the store for the URL at the index and nothing else.
    if (reference == nullptr || reference->code_key() != code_key_ ||
        acknowledged_indexes_ != acknowledged_.size() ||
        !std::all_of(acknowledged_.begin(), acknowledged_.end(),
                     [](const AcknowledgedCreate& create) { return create.code_of_index; })) {
        return nullptr;
    }
    if (first_acknowledged_missing(*reference, acknowledged_by_index_, LogIndex(0)) != nullptr ||
        first_duplicate_url(*reference)) {
        return nullptr;
    }
    return reference;
}

std::vector<const fsm::UrlRecord*> Checker::acknowledged_in_code_order() const {
    std::vector<const fsm::UrlRecord*> records;
    records.reserve(acknowledged_.size());
    for (const AcknowledgedCreate& create : acknowledged_) records.push_back(&create.record);
    std::sort(records.begin(), records.end(),
              [](const fsm::UrlRecord* a, const fsm::UrlRecord* b) { return a->code < b->code; });
    return records;
}

}  // namespace raftlink::sim
