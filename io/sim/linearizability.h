// SPDX-License-Identifier: MIT
// Linearizability of a run's history (Herlihy & Wing): creates and linearizable reads must be
// explainable by some total order that respects real time and a sequential model.
//
// The model, one per short code: a register that starts absent and is written once, by the
// create that was given that code; a read returns absent or the URL. The history splits by
// code (linearizability is compositional), and each code is checked by Wing & Gong's search
// with Lowe's memoization (a cache of (set of linearized operations, model state)), as in
// Jepsen's Knossos and Porcupine. A create whose outcome is unknown (info) may or may not have
// taken effect and has no completion bound. The search is bounded: past its bounds a code is
// reported inconclusive, never silently passed and never hanging.
//
// Stale reads are not linearizable by design; check_stale_reads() holds them to the weaker
// promise: never a wrong URL, never a URL that no create of that id could have written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/sim/history.h"

namespace raftlink::sim {

/// Operations on one short code beyond this make the code inconclusive (the linearized set is
/// a bitset of this size).
constexpr std::size_t linearizability_operations_per_key_max = 256;
/// Search steps per code beyond this make the code inconclusive.
constexpr std::uint64_t linearizability_search_steps_max = 200'000;

enum class Verdict { Linearizable, NotLinearizable, Inconclusive };
const char* verdict_name(Verdict verdict);

struct LinearizabilityReport {
    /// NotLinearizable if any code is; else Inconclusive if any code is; else Linearizable.
    Verdict verdict = Verdict::Linearizable;
    /// The first code (in sorted order) with the verdict above, and why.
    std::string key;
    std::string explanation;
    std::uint64_t keys_checked = 0;
    std::uint64_t keys_inconclusive = 0;
    /// Creates and linearizable reads placed in some code's history (an info create read
    /// under several codes counts once per code).
    std::uint64_t operations_checked = 0;
    std::uint64_t linearizable_reads_checked = 0;
};

/// Checks the creates and linearizable reads of `operations` (a History's, finished: no open
/// operation). Fail operations never took effect and are ignored, as are info reads (they
/// constrain nothing). `steps_max` bounds the search per code.
LinearizabilityReport check_linearizability(
    const std::vector<Operation>& operations,
    std::uint64_t steps_max = linearizability_search_steps_max);

struct StaleReadViolation {
    std::string key;  // the short code
    std::string explanation;
};

/// Every stale read that found a URL must have found one a create of that code could have
/// written: a create of that URL exists, was invoked before the read completed, and, if it was
/// acknowledged, was given this code; and no other URL was acknowledged for the code.
std::optional<StaleReadViolation> check_stale_reads(const std::vector<Operation>& operations);

/// "client 3 read aZ3k9Qx [1.250000 s, 1.262000 s] -> absent": one operation for messages.
std::string describe_operation(const Operation& operation);

}  // namespace raftlink::sim
