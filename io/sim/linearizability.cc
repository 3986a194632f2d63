// SPDX-License-Identifier: MIT
#include "io/sim/linearizability.h"

#include <algorithm>
#include <bitset>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/text_index.h"

namespace raftlink::sim {
namespace {

constexpr Nanos never = std::numeric_limits<Nanos>::max();
// Operations listed in an explanation, at most.
constexpr std::size_t explained_operations_max = 6;

using Linearized = std::bitset<linearizability_operations_per_key_max>;

// One operation of a code's register history. Values are small integers: 0 is absent, k > 0
// the k-th distinct URL seen under the code.
struct RegisterOperation {
    const Operation* source = nullptr;
    bool write = false;
    bool definite = true;  // false for an info create: it may not have taken effect
    std::size_t value = 0;
    Nanos call = 0;
    Nanos ret = never;  // never for an info create
};

// The sequential model: the next state if `operation` can take effect in `state`.
std::optional<std::size_t> step(const RegisterOperation& operation, std::size_t state) {
    if (!operation.write) {
        if (state == operation.value) return state;
        return std::nullopt;
    }
    if (state == 0 || state == operation.value) return operation.value;
    // An info create that did not produce this code leaves it alone. (Not taking effect at
    // all needs no rule: with no completion bound, the search can always place it last.)
    if (!operation.definite) return state;
    return std::nullopt;
}

struct CacheKey {
    Linearized linearized;
    std::size_t state = 0;
    bool operator==(const CacheKey&) const = default;
};
struct CacheKeyHash {
    std::size_t operator()(const CacheKey& key) const {
        return std::hash<Linearized>()(key.linearized) * 31 + key.state;
    }
};

struct KeyResult {
    Verdict verdict = Verdict::Linearizable;
    // The operation that could not be linearized at the deepest point of the search, and how
    // many operations were linearized before it.
    std::size_t blocking = 0;
    std::size_t depth = 0;
};

// Wing & Gong's search with Lowe's memoization (the structure of Porcupine's checkSingle):
// walk a list of call and return entries in time order; take a call whose operation can take
// effect now (lifting its entries out of the list), and on reaching a return whose operation
// was not taken yet, undo the latest choice. The history is linearizable iff the list empties.
//
// One pruning, sound for this model: an operation that leaves the state as it is (a read, or
// anything once the register is written, since it never changes again) can always be taken
// as soon as it is callable: any linearization that takes it later stays valid with it moved
// first. So if taking it leads nowhere, neither does its parent configuration, and undoing it
// goes straight on to undo the choice before. Without this, concurrent reads make the search
// try every subset of them.
// NB: the membership-only cache is unordered; its iteration order never matters.
KeyResult search(const std::vector<RegisterOperation>& operations, std::uint64_t steps_max) {
    const std::size_t count = operations.size();
    ASSERT_LE(count, linearizability_operations_per_key_max);
    // A lone operation (most codes: a create that no linearizable read saw) takes effect at
    // once or never; the search would find that in its first two steps, without the set-up.
    if (count == 1 && steps_max >= 2) {
        if (step(operations[0], 0)) return KeyResult{};
        return KeyResult{Verdict::NotLinearizable, 0, 0};
    }
    struct Entry {
        std::size_t operation = 0;
        bool call = false;
        std::size_t match = 0;  // calls: the index of their return entry
        std::size_t prev = 0;
        std::size_t next = 0;
    };
    // Entries in time order; at equal times calls come first, so touching operations count as
    // concurrent (the permissive reading).
    std::vector<std::tuple<Nanos, bool, std::size_t>> order;
    for (std::size_t i = 0; i < count; ++i) {
        order.emplace_back(operations[i].call, false, i);
        order.emplace_back(operations[i].ret, true, i);
    }
    std::sort(order.begin(), order.end());
    const std::size_t head = order.size();
    const std::size_t end = head + 1;
    std::vector<Entry> entries(order.size() + 1);
    std::vector<std::size_t> call_entry(count);
    for (std::size_t e = 0; e < order.size(); ++e) {
        const auto& [time, is_return, operation] = order[e];
        entries[e] = Entry{operation, !is_return, 0, e == 0 ? head : e - 1, e + 1};
        if (is_return) {
            entries[call_entry[operation]].match = e;
        } else {
            call_entry[operation] = e;
        }
    }
    entries.back().next = order.empty() ? end : 0;  // the head sentinel
    if (!order.empty()) entries[order.size() - 1].next = end;
    const auto unlink = [&](std::size_t e) {
        entries[entries[e].prev].next = entries[e].next;
        if (entries[e].next != end) entries[entries[e].next].prev = entries[e].prev;
    };
    const auto relink = [&](std::size_t e) {
        entries[entries[e].prev].next = e;
        if (entries[e].next != end) entries[entries[e].next].prev = e;
    };

    struct Choice {
        std::size_t entry;
        std::size_t state;
        bool state_kept;  // the operation left the state as it was
    };
    std::vector<Choice> calls;
    std::unordered_set<CacheKey, CacheKeyHash> cache;
    Linearized linearized;
    std::size_t state = 0;
    KeyResult result;
    bool reached = false;
    std::size_t e = entries[head].next;
    for (std::uint64_t steps = 0; entries[head].next != end; ++steps) {
        if (steps >= steps_max) return KeyResult{Verdict::Inconclusive, 0, 0};
        const Entry& entry = entries[e];
        if (entry.call) {
            const auto next_state = step(operations[entry.operation], state);
            if (next_state) {
                CacheKey key{linearized, *next_state};
                key.linearized.set(entry.operation);
                if (cache.insert(key).second) {
                    calls.push_back(Choice{e, state, *next_state == state});
                    state = *next_state;
                    linearized.set(entry.operation);
                    unlink(e);
                    unlink(entry.match);
                    e = entries[head].next;
                    continue;
                }
            }
            e = entry.next;
            continue;
        }
        // A return whose operation is not linearized yet: nothing later can help.
        if (!reached || calls.size() > result.depth) {
            reached = true;
            result.depth = calls.size();
            result.blocking = entry.operation;
        }
        Choice choice{};
        do {
            if (calls.empty()) {
                result.verdict = Verdict::NotLinearizable;
                return result;
            }
            choice = calls.back();
            calls.pop_back();
            state = choice.state;
            linearized.reset(entries[choice.entry].operation);
            relink(entries[choice.entry].match);
            relink(choice.entry);
        } while (choice.state_kept);
        e = entries[choice.entry].next;
    }
    return result;
}

std::string seconds(Nanos time) {
    const std::int64_t micros = time / 1000;
    std::string fraction = std::to_string(micros % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    return std::to_string(micros / 1'000'000) + "." + fraction + " s";
}

std::string explain(const std::string& code, const std::vector<RegisterOperation>& operations,
                    const KeyResult& result) {
    const Operation& blocking = *operations[result.blocking].source;
    std::string text = concat(describe_operation(blocking), " cannot take effect");
    if (result.depth > 0) text += concat(" after any ", result.depth, " of the others");
    text += concat("; ", operations.size(), " operations on ", code, ":");
    for (std::size_t i = 0; i < operations.size() && i < explained_operations_max; ++i) {
        text += concat(i == 0 ? " " : "; ", describe_operation(*operations[i].source));
    }
    if (operations.size() > explained_operations_max) text += "; ...";
    return text;
}

// The register history of each code: its acknowledged creates, its linearizable reads, and
// the info creates whose URL one of those reads returned (an info create no read observed
// constrains nothing: the search could always place it last). Calls `visit(code, sources)`
// for each code in the order codes first appear in the history, with the code's operations in
// history order and its info creates after them, in the order reads first observed them.
// Codes are grouped through a TextIndex and each group's operations chained in one flat list,
// rather than a map of vectors keyed by copied strings: a run has thousands of codes, nearly
// all with a single create. The codes are not sorted: the caller keeps the least one it needs
// (a sort of them cost 1.3M instructions for speed-5 seed 1).
template <typename Visit>
void for_each_code(const std::vector<Operation>& operations, Visit&& visit) {
    // Views of the operations' strings to positions: operations for info_create_of_url, groups
    // for group_of_code. Looked up only, never iterated: no order can reach the verdict.
    TextIndex info_create_of_url(operations.size());
    for (std::size_t i = 0; i < operations.size(); ++i) {
        const Operation& operation = operations[i];
        if (operation.is_create() && operation.outcome == OperationType::Info && operation.value) {
            info_create_of_url.emplace(*operation.value, i);
        }
    }
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    struct Chain {
        std::size_t first = none;
        std::size_t last = none;
    };
    struct Group {
        std::string_view code;
        Chain operations;  // in history order
        Chain infos;       // info creates, in the order reads observed them (repeats included)
    };
    struct Link {
        const Operation* operation = nullptr;
        std::size_t next = none;
    };
    TextIndex group_of_code(operations.size());
    std::vector<Group> groups;
    std::vector<Link> links;
    links.reserve(operations.size());
    const auto group = [&](std::string_view code) -> Group& {
        const std::uint64_t number = group_of_code.emplace(code, groups.size());
        if (number == groups.size()) groups.push_back(Group{code, {}, {}});
        return groups[number];
    };
    const auto append = [&links](Chain& chain, const Operation* operation) {
        links.push_back(Link{operation, none});
        if (chain.last == none) {
            chain.first = links.size() - 1;
        } else {
            links[chain.last].next = links.size() - 1;
        }
        chain.last = links.size() - 1;
    };
    for (const Operation& operation : operations) {
        if (operation.outcome != OperationType::Ok) continue;
        if (operation.is_create()) {
            append(group(operation.code).operations, &operation);
        } else if (operation.is_linearizable_read()) {
            Group& read_group = group(operation.key);
            append(read_group.operations, &operation);
            if (!operation.value) continue;
            const std::uint64_t info = info_create_of_url.find(*operation.value);
            if (info != TextIndex::none) append(read_group.infos, &operations[info]);
        }
    }
    std::vector<const Operation*> sources;
    for (const Group& code_group : groups) {
        sources.clear();
        for (std::size_t l = code_group.operations.first; l != none; l = links[l].next) {
            sources.push_back(links[l].operation);
        }
        const std::size_t first_info = sources.size();
        for (std::size_t l = code_group.infos.first; l != none; l = links[l].next) {
            // Each info create once per code.
            const auto infos = sources.begin() + static_cast<std::ptrdiff_t>(first_info);
            if (std::find(infos, sources.end(), links[l].operation) == sources.end()) {
                sources.push_back(links[l].operation);
            }
        }
        visit(code_group.code, sources);
    }
}

// The register history of one code's `sources`, into `operations`; `urls` is scratch space.
// Both are the caller's, reused from code to code: a vector allocated and freed per code (a
// run has thousands, nearly all with one operation) cost more than filling it.
void register_history(const std::vector<const Operation*>& sources,
                      std::vector<std::string_view>& urls,
                      std::vector<RegisterOperation>& operations) {
    // Values in the order the URLs first appear; a code sees one or two distinct URLs, so a
    // list beats a map.
    urls.clear();
    const auto value = [&urls](const std::optional<std::pmr::string>& url) -> std::size_t {
        if (!url) return 0;
        const auto it = std::find(urls.begin(), urls.end(), std::string_view(*url));
        if (it != urls.end()) return static_cast<std::size_t>(it - urls.begin()) + 1;
        urls.push_back(*url);
        return urls.size();
    };
    operations.clear();
    for (const Operation* source : sources) {
        RegisterOperation operation;
        operation.source = source;
        operation.write = source->is_create();
        operation.definite = source->outcome == OperationType::Ok;
        operation.value = value(source->value);
        operation.call = source->invoke_time;
        operation.ret = operation.definite ? source->complete_time : never;
        operations.push_back(operation);
    }
}

}  // namespace

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::Linearizable: return "linearizable";
        case Verdict::NotLinearizable: return "not linearizable";
        case Verdict::Inconclusive: return "inconclusive";
    }
    return "?";
}

std::string describe_operation(const Operation& operation) {
    std::string text = concat("client ", operation.process, " ");
    if (operation.is_create()) {
        text += concat("create of ", operation.value ? std::string_view(*operation.value) : "?");
    } else {
        text += concat(operation.is_linearizable_read() ? "linearizable" : "stale", " read of ",
                       std::string_view(operation.key));
    }
    text += concat(" [", seconds(operation.invoke_time), ", ");
    switch (operation.outcome) {
        case OperationType::Ok:
            text += concat(seconds(operation.complete_time), "] -> ");
            if (operation.is_create()) {
                text += concat(std::string_view(operation.code), " at index ", operation.index);
            } else {
                text += operation.value ? std::string_view(*operation.value) : "absent";
            }
            break;
        case OperationType::Fail:
            text += concat(seconds(operation.complete_time), "] failed");
            break;
        case OperationType::Info: text += "never] outcome unknown"; break;
        case OperationType::Invoke: text += "...] outstanding"; break;
    }
    return text;
}

LinearizabilityReport check_linearizability(const std::vector<Operation>& operations,
                                            std::uint64_t steps_max) {
    LinearizabilityReport report;
    std::vector<std::string_view> urls;
    std::vector<RegisterOperation> history;
    for_each_code(operations, [&](std::string_view code,
                                  const std::vector<const Operation*>& sources) {
        ++report.keys_checked;
        report.operations_checked += sources.size();
        for (const Operation* source : sources) {
            if (source->is_linearizable_read()) ++report.linearizable_reads_checked;
        }
        register_history(sources, urls, history);
        const KeyResult result = history.size() > linearizability_operations_per_key_max
                                     ? KeyResult{Verdict::Inconclusive, 0, 0}
                                     : search(history, steps_max);
        // The codes come in history order; the report names the least code (as bytes) with
        // its verdict, so a code replaces the one named if it is less.
        if (result.verdict == Verdict::Inconclusive) {
            ++report.keys_inconclusive;
            if (report.verdict == Verdict::Linearizable ||
                (report.verdict == Verdict::Inconclusive && code < report.key)) {
                report.verdict = Verdict::Inconclusive;
                report.key = code;
                report.explanation =
                    concat(sources.size(), " operations on ", code, " exceed the search bounds");
            }
        } else if (result.verdict == Verdict::NotLinearizable &&
                   (report.verdict != Verdict::NotLinearizable || code < report.key)) {
            report.verdict = Verdict::NotLinearizable;
            report.key = code;
            report.explanation = explain(std::string(code), history, result);
        }
    });
    return report;
}

std::optional<StaleReadViolation> check_stale_reads(const std::vector<Operation>& operations) {
    // Views of the operations' own strings to the operations' positions: no copies, and
    // never iterated, so no order that could reach the verdict.
    TextIndex create_of_url(operations.size());
    TextIndex acknowledged_for_code(operations.size());
    for (std::size_t i = 0; i < operations.size(); ++i) {
        const Operation& operation = operations[i];
        if (!operation.is_create() || operation.outcome == OperationType::Fail) continue;
        if (operation.value) create_of_url.emplace(*operation.value, i);
        if (operation.outcome == OperationType::Ok) {
            acknowledged_for_code.emplace(operation.code, i);
        }
    }
    for (const Operation& read : operations) {
        if (read.is_create() || read.is_linearizable_read()) continue;
        if (read.outcome != OperationType::Ok || !read.value) continue;
        const std::uint64_t create = create_of_url.find(*read.value);
        if (create == TextIndex::none) {
            return StaleReadViolation{
                std::string(read.key),
                concat(describe_operation(read), ", a URL no client ever created")};
        }
        const Operation& writer = operations[create];
        if (writer.invoke_time > read.complete_time) {
            return StaleReadViolation{
                std::string(read.key), concat(describe_operation(read),
                                 " before its create was invoked: ", describe_operation(writer))};
        }
        if (writer.outcome == OperationType::Ok && writer.code != read.key) {
            return StaleReadViolation{
                std::string(read.key), concat(describe_operation(read),
                                 ", a URL created under another id: ", describe_operation(writer))};
        }
        const std::uint64_t owner = acknowledged_for_code.find(read.key);
        if (owner != TextIndex::none && operations[owner].value != read.value) {
            return StaleReadViolation{std::string(read.key), concat(describe_operation(read),
                                                       ", but the id was created for another "
                                                       "URL: ",
                                                       describe_operation(operations[owner]))};
        }
    }
    return std::nullopt;
}

}  // namespace raftlink::sim
