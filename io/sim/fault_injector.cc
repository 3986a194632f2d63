// SPDX-License-Identifier: MIT
#include "io/sim/fault_injector.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/latency.h"

namespace raftlink::sim {
namespace {

/// Bounds the random faults of one kind in one run (100 per second for a day is 8.6 million;
/// far more than any useful scenario, and it keeps a typo from scheduling billions).
constexpr std::uint64_t random_faults_per_kind_max = 1'000'000;

/// "{1,2}" for node indexes {0,1}, in id order.
std::string group_text(std::vector<std::size_t> group) {
    std::sort(group.begin(), group.end());
    std::string text = "{";
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (i > 0) text += ',';
        text += std::to_string(group[i] + 1);
    }
    return text + "}";
}

/// Both directions between every node of `a` and every node of `b`.
std::vector<SimNetwork::Link> between(const std::vector<std::size_t>& a,
                                      const std::vector<std::size_t>& b) {
    std::vector<SimNetwork::Link> links;
    for (const std::size_t x : a) {
        for (const std::size_t y : b) {
            links.emplace_back(x, y);
            links.emplace_back(y, x);
        }
    }
    return links;
}

/// Every pair of nodes in different groups, both directions.
std::vector<SimNetwork::Link> across(const std::vector<std::vector<std::size_t>>& groups) {
    std::vector<SimNetwork::Link> links;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        for (std::size_t h = g + 1; h < groups.size(); ++h) {
            const auto pair = between(groups[g], groups[h]);
            links.insert(links.end(), pair.begin(), pair.end());
        }
    }
    return links;
}

std::string partition_text(const std::vector<std::vector<std::size_t>>& groups) {
    std::string text;
    for (const auto& group : groups) text += (text.empty() ? "" : " | ") + group_text(group);
    return text;
}

/// The nodes other than `index`, in id order.
std::vector<std::size_t> others(std::size_t count, std::size_t index) {
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < count; ++i) {
        if (i != index) rest.push_back(i);
    }
    return rest;
}

/// "300" for 300 ms, "12.5" for 12.5 ms.
std::string ms_text(Nanos duration) {
    if (duration % nanos_per_ms == 0) return std::to_string(duration / nanos_per_ms);
    std::string text = format_millis(duration);
    while (text.back() == '0') text.pop_back();
    return text;
}

void shuffle(std::vector<std::size_t>& items, Prng& prng) {
    for (std::size_t i = items.size(); i > 1; --i) {
        std::swap(items[i - 1], items[prng.below(i)]);
    }
}

}  // namespace

FaultInjector::FaultInjector(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                             Cluster& cluster, TracePrinter& printer)
    : scenario_(scenario), loop_(loop), cluster_(cluster), printer_(printer),
      prng_(Prng::derive(seed, "sim.faults", 0)),
      random_prng_(Prng::derive(seed, "sim.random_faults", 0)),
      seed_(seed),
      corrupted_(scenario.node_count, false) {}

Nanos FaultInjector::schedule() {
    const Nanos timeline = schedule_timeline();
    if (!scenario_.random_faults.enabled) return timeline;
    return std::max(timeline, schedule_random());
}

Nanos FaultInjector::schedule_timeline() {
    // Walk the faults in the order they will run (time, then file order, as the event loop
    // breaks ties) to see whether the last cut is healed.
    std::vector<std::pair<Nanos, std::size_t>> order;
    std::vector<Nanos> ends;  // by fault index: when each fault is over
    for (std::size_t i = 0; i < scenario_.faults.size(); ++i) {
        Fault fault = scenario_.faults[i];
        const Nanos at = sample_time(fault.at, prng_);
        // A pause's length is drawn with its time, so that its end is known now.
        if (fault.kind == FaultKind::Pause) {
            const Nanos duration = sample_time(fault.duration, prng_);
            fault.duration = TimeRange{duration, duration};
        }
        order.emplace_back(at, i);
        ends.push_back(fault.kind == FaultKind::Pause ? at + fault.duration.min : at);
        loop_.at(at, [this, fault]() { inject(fault); });
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    Nanos healed = 0;
    bool cut_open = false;
    for (const auto& [at, i] : order) {
        const Fault& fault = scenario_.faults[i];
        switch (fault.kind) {
            case FaultKind::Partition:
            case FaultKind::Isolate:
            case FaultKind::OneWay:
            case FaultKind::Bridge: cut_open = true; break;
            case FaultKind::Heal: cut_open = false; break;
            default: break;
        }
        healed = std::max(healed, ends[i]);
    }
    return cut_open ? never_healed : healed;
}

Nanos FaultInjector::schedule_random() {
    const RandomFaults& random = scenario_.random_faults;
    for (std::size_t k = 0; k < fault_kind_count; ++k) {
        const double rate = random.rates_per_s[k];
        if (rate <= 0) continue;
        // One stream per kind: changing one rate leaves the other kinds' times alone.
        Prng times = Prng::derive(seed_, "sim.random_faults.times", k);
        const double mean_gap = static_cast<double>(nanos_per_ms) * 1000.0 / rate;
        Nanos at = random.from;
        for (std::uint64_t n = 0; n < random_faults_per_kind_max; ++n) {
            at += static_cast<Nanos>(times.exponential(mean_gap)) + 1;
            if (at >= random.until) break;
            const auto kind = static_cast<FaultKind>(k);
            loop_.at(at, [this, kind]() { inject_random(kind); });
        }
    }
    loop_.at(random.until, [this]() { heal_phase(); });
    return random.until;
}

void FaultInjector::inject(const Fault& fault) {
    const std::string_view name = fault_kind_name(fault.kind);
    if (fault.kind == FaultKind::Heal) {
        heal_all();
        return;
    }
    if (fault.kind == FaultKind::Partition) {
        std::vector<std::vector<std::size_t>> groups;
        std::vector<bool> listed(cluster_.size(), false);
        for (const auto& ids : fault.groups) {
            std::vector<std::size_t> group;
            for (const std::uint64_t id : ids) {
                group.push_back(id - 1);
                listed[id - 1] = true;
            }
            groups.push_back(std::move(group));
        }
        std::vector<std::size_t> unlisted;
        for (std::size_t i = 0; i < cluster_.size(); ++i) {
            if (!listed[i]) unlisted.push_back(i);
        }
        if (!unlisted.empty()) groups.push_back(std::move(unlisted));
        cut(across(groups), concat("partition ", partition_text(groups)));
        return;
    }
    const auto target = resolve(fault.target, fault.kind);
    if (!target) {
        printer_.sim_line(concat(name, ": no node matches the target; skipped"));
        return;
    }
    if (fault.kind == FaultKind::OneWay) {
        const auto to = resolve(fault.to, fault.kind);
        if (!to || *to == *target) {
            printer_.sim_line(concat(name, ": no node matches the target; skipped"));
            return;
        }
        cut({Link{*target, *to}}, concat("one-way cut: node ", *target + 1, " -> node ", *to + 1));
        return;
    }
    inject_node_fault(fault, *target);
}

void FaultInjector::inject_node_fault(const Fault& fault, std::size_t target) {
    switch (fault.kind) {
        case FaultKind::Crash: crash(target); return;
        case FaultKind::Restart: restart(target); return;
        case FaultKind::Corrupt: corrupt(target); return;
        case FaultKind::Isolate:
            cut(between({target}, others(cluster_.size(), target)),
                concat("isolate node ", target + 1));
            return;
        case FaultKind::Bridge: {
            const std::vector<std::size_t> rest = others(cluster_.size(), target);
            const auto middle = rest.begin() + static_cast<std::ptrdiff_t>(rest.size() / 2);
            const std::vector<std::size_t> first(rest.begin(), middle);
            const std::vector<std::size_t> second(middle, rest.end());
            cut(between(first, second), concat("bridge node ", target + 1, ": ",
                                               group_text(first), " | ", group_text(second)));
            return;
        }
        case FaultKind::Pause:
            if (!cluster_.pause(target, fault.duration.min)) {
                printer_.sim_line(concat("pause node ", target + 1,
                                         ": down or already paused; skipped"));
                return;
            }
            printer_.sim_line(
                concat("pause node ", target + 1, " for ", ms_text(fault.duration.min), " ms"));
            return;
        default: UNREACHABLE();
    }
}

void FaultInjector::crash(std::size_t index) {
    printer_.sim_line(concat("crash node ", index + 1));
    cluster_.crash(index);
    std::erase(crashed_, index);
    crashed_.push_back(index);
}

void FaultInjector::restart(std::size_t index) {
    printer_.sim_line(concat("restart node ", index + 1));
    std::erase(crashed_, index);
    cluster_.boot(index);  // a corrupt disk makes it refuse, with its own [sim] line
}

void FaultInjector::corrupt(std::size_t index) {
    const std::optional<std::string> where = cluster_.corrupt(index);
    if (!where) {
        printer_.sim_line(
            concat("corrupt node ", index + 1, ": its disk holds no record; skipped"));
        return;
    }
    corrupted_[index] = true;
    printer_.sim_line(concat("corrupt node ", index + 1, ": ", *where));
}

std::uint64_t FaultInjector::cut(const std::vector<Link>& links, const std::string& description) {
    printer_.sim_line(description);
    const std::uint64_t id = cluster_.network().cut(links);
    open_cuts_.emplace(id, description);
    return id;
}

void FaultInjector::heal(std::uint64_t cut_id) {
    const auto it = open_cuts_.find(cut_id);
    if (it == open_cuts_.end()) return;  // healed already, by a heal of everything
    printer_.sim_line(concat("heal ", it->second));
    cluster_.network().heal(cut_id);
    open_cuts_.erase(it);
}

void FaultInjector::heal_all() {
    printer_.sim_line("heal");
    cluster_.network().heal_all();
    open_cuts_.clear();
}

std::optional<std::size_t> FaultInjector::resolve(const FaultTarget& target,
                                                  FaultKind kind) const {
    switch (target.kind) {
        case FaultTarget::Kind::Leader: return cluster_.leader();
        case FaultTarget::Kind::Crashed:
            if (crashed_.empty()) return std::nullopt;
            return crashed_.front();
        case FaultTarget::Kind::Node: {
            const std::size_t index = target.node - 1;
            const bool up = cluster_.up(index);
            if (kind == FaultKind::Crash && !up) return std::nullopt;
            if (kind == FaultKind::Restart && up) return std::nullopt;
            return index;
        }
    }
    return std::nullopt;
}

// ---- The random mix ----

void FaultInjector::inject_random(FaultKind kind) {
    switch (kind) {
        case FaultKind::Crash: random_crash(); return;
        case FaultKind::Partition:
        case FaultKind::Isolate:
        case FaultKind::OneWay:
        case FaultKind::Bridge: random_cut(kind); return;
        case FaultKind::Pause: random_pause(); return;
        case FaultKind::Corrupt: random_corrupt(); return;
        default: UNREACHABLE();
    }
}

std::optional<std::size_t> FaultInjector::pick(const std::vector<std::size_t>& candidates) {
    // Faults that hit the leader are the ones that exercise elections and log repair.
    const auto leader = cluster_.leader();
    const bool leader_first = random_prng_.chance(0.5);
    if (leader_first && leader &&
        std::find(candidates.begin(), candidates.end(), *leader) != candidates.end()) {
        return leader;
    }
    if (candidates.empty()) return std::nullopt;
    return candidates[random_prng_.below(candidates.size())];
}

bool FaultInjector::within_budget(std::size_t index) const {
    if (scenario_.random_faults.allow_quorum_loss) return true;
    std::size_t out = 0;
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
        if (i == index || !cluster_.up(i) || corrupted_[i]) ++out;
    }
    return out <= (cluster_.size() - 1) / 2;
}

void FaultInjector::random_crash() {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
        if (cluster_.up(i) && within_budget(i)) candidates.push_back(i);
    }
    const auto target = pick(candidates);
    if (!target) {
        printer_.sim_line("random crash: would leave no majority up; skipped");
        return;
    }
    crash(*target);
    const Nanos down = sample_time(scenario_.random_faults.down, random_prng_);
    const std::uint64_t incarnation = cluster_.incarnation(*target);
    loop_.after(down, [this, index = *target, incarnation]() {
        // Restarted already (by the healing phase) or booted again since: nothing to do.
        // A node that refused to start on a corrupt disk would only refuse again.
        if (cluster_.up(index) || cluster_.incarnation(index) != incarnation ||
            cluster_.refused(index)) {
            return;
        }
        restart(index);
    });
}

void FaultInjector::random_cut(FaultKind kind) {
    const std::size_t count = cluster_.size();
    std::vector<std::size_t> all = others(count, count);  // no node is excluded: every node
    std::uint64_t id = 0;
    if (count < 2 || (kind == FaultKind::Bridge && count < 3)) {
        printer_.sim_line(concat("random ", fault_kind_name(kind), ": too few nodes; skipped"));
        return;
    }
    if (kind == FaultKind::Partition) {
        shuffle(all, random_prng_);
        const auto split = static_cast<std::ptrdiff_t>(1 + random_prng_.below(count - 1));
        const std::vector<std::vector<std::size_t>> groups = {
            std::vector<std::size_t>(all.begin(), all.begin() + split),
            std::vector<std::size_t>(all.begin() + split, all.end())};
        id = cut(across(groups), concat("partition ", partition_text(groups)));
    } else if (kind == FaultKind::Isolate) {
        const std::size_t target = *pick(all);
        id = cut(between({target}, others(count, target)), concat("isolate node ", target + 1));
    } else if (kind == FaultKind::OneWay) {
        const std::size_t from = *pick(all);
        const std::vector<std::size_t> rest = others(count, from);
        const std::size_t to = rest[random_prng_.below(rest.size())];
        id = cut({Link{from, to}}, concat("one-way cut: node ", from + 1, " -> node ", to + 1));
    } else {
        const std::size_t bridge = *pick(all);
        std::vector<std::size_t> rest = others(count, bridge);
        shuffle(rest, random_prng_);
        const auto middle = rest.begin() + static_cast<std::ptrdiff_t>(rest.size() / 2);
        const std::vector<std::size_t> first(rest.begin(), middle);
        const std::vector<std::size_t> second(middle, rest.end());
        id = cut(between(first, second), concat("bridge node ", bridge + 1, ": ",
                                                group_text(first), " | ", group_text(second)));
    }
    loop_.after(sample_time(scenario_.random_faults.heal, random_prng_),
                [this, id]() { heal(id); });
}

void FaultInjector::random_pause() {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
        if (cluster_.up(i) && !cluster_.paused(i)) candidates.push_back(i);
    }
    const auto target = pick(candidates);
    const Nanos duration = sample_time(scenario_.random_faults.pause, random_prng_);
    if (!target) {
        printer_.sim_line("random pause: no node is up and running; skipped");
        return;
    }
    const bool paused = cluster_.pause(*target, duration);
    ASSERT(paused);  // the candidates were up and running
    printer_.sim_line(concat("pause node ", *target + 1, " for ", ms_text(duration), " ms"));
}

void FaultInjector::random_corrupt() {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
        if (!corrupted_[i] && within_budget(i)) candidates.push_back(i);
    }
    if (candidates.empty()) {
        printer_.sim_line("random corrupt: would leave no majority intact; skipped");
        return;
    }
    corrupt(candidates[random_prng_.below(candidates.size())]);
}

void FaultInjector::heal_phase() {
    printer_.sim_line("heal phase: heal every cut, end every pause, restart every crashed node");
    heal_all();
    for (std::size_t i = 0; i < cluster_.size(); ++i) cluster_.resume(i);
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
        if (!cluster_.up(i) && !cluster_.refused(i)) restart(i);
    }
}

}  // namespace raftlink::sim
