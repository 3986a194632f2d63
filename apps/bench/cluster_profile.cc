// SPDX-License-Identifier: MIT
#include "apps/bench/cluster_profile.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "apps/bench/interrupt.h"
#include "apps/bench/request_target.h"

namespace raftlink::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

/// A restarted node with a million URLs replays its whole log; give it time.
constexpr DurationNs restart_deadline = 10 * minute;
/// How often a restarting node's /healthz is polled.
constexpr auto healthz_poll_interval = std::chrono::milliseconds(5);
constexpr DurationNs probe_timeout = 1 * second;
/// The fill sends at most this many creates before it checks who leads: after an election,
/// the rest of a round goes to the old leader and fails.
constexpr std::uint64_t fill_round_requests = 20000;
/// A fill that needs this many rounds more than it would without failures is not converging
/// (a leader that keeps moving).
constexpr std::uint64_t fill_rounds_extra_max = 1000;

DurationNs since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count();
}

/// What distinguishes one load phase from another.
struct PhaseSpec {
    std::string key;
    std::string title;
    unsigned node = 0;
    LoopMode mode = LoopMode::Open;
    double rate = 0;
    unsigned connections = 0;
    DurationNs duration = 0;
    std::uint64_t requests_max = 0;
    bool collect_ids = false;
};

class ProfileRunner {
public:
    ProfileRunner(LocalCluster& cluster, const ProfileOptions& options,
                  const ProfileListener& listener)
        : cluster_(cluster), options_(options), listener_(listener) {}

    ClusterReport run();

private:
    void note(const std::string& line) {
        if (listener_.on_note) listener_.on_note(line);
    }
    PhaseResult run_phase(const PhaseSpec& spec, const RequestTarget& target);
    PhaseResult run_create_phase(PhaseSpec spec);
    PhaseResult run_fill_creates();
    void wait_all_caught_up(unsigned leader);
    std::vector<NodeMemory> measure_memory();
    unsigned follower_of(unsigned leader);
    FillResult run_fill();
    void run_failovers(ClusterReport& report);

    LocalCluster& cluster_;
    const ProfileOptions& options_;
    const ProfileListener& listener_;
    /// The {seq} of the next create, so that no two phases shorten the same URL.
    std::uint64_t next_sequence_ = 1;
    std::vector<std::string> created_ids_;
};

PhaseResult ProfileRunner::run_phase(const PhaseSpec& spec, const RequestTarget& target) {
    throw_if_interrupted();
    cluster_.check_running();
    LoadPlan plan;
    plan.description = {target.name(),     cluster_.http_endpoint(spec.node).url(),
                        spec.mode,         spec.rate,
                        spec.connections,  spec.duration,
                        spec.requests_max, LatencyOrigin::Sent};
    plan.settings.endpoint = cluster_.http_endpoint(spec.node);
    plan.settings.timeout = options_.request_timeout;
    plan.settings.threads = options_.threads;
    plan.settings.collect_ids = spec.collect_ids;
    plan.progress = options_.progress;
    PhaseResult phase{spec.key, spec.title, spec.node, {}};
    if (const auto before = fetch_status(plan.settings.endpoint, probe_timeout)) {
        phase.leader_before = before->leader;
        phase.term_before = before->term;
    }
    phase.run = execute_load(target, plan);
    throw_if_interrupted();
    if (const auto after = fetch_status(plan.settings.endpoint, probe_timeout)) {
        phase.leader_after = after->leader;
        phase.term_after = after->term;
    }
    cluster_.check_running();
    if (listener_.on_phase) listener_.on_phase(phase);
    return phase;
}

PhaseResult ProfileRunner::run_create_phase(PhaseSpec spec) {
    const CreateTarget target(std::string(default_body_template), next_sequence_);
    PhaseResult phase = run_phase(spec, target);
    next_sequence_ += phase.run.metrics.requests;
    auto& ids = phase.run.record.created_ids;
    created_ids_.insert(created_ids_.end(), ids.begin(), ids.end());
    return phase;
}

void ProfileRunner::wait_all_caught_up(unsigned leader) {
    const auto status = fetch_status(cluster_.http_endpoint(leader), probe_timeout);
    if (!status) throw NodeFailure(fmt::format("leader node {} does not answer /status", leader));
    for (const unsigned node : cluster_.running_nodes()) {
        cluster_.wait_applied(node, status->commit_index, options_.leader_deadline);
    }
}

std::vector<NodeMemory> ProfileRunner::measure_memory() {
    std::vector<NodeMemory> memory;
    for (const unsigned node : cluster_.running_nodes()) {
        memory.push_back({node, cluster_.pid(node), cluster_.resident_set_kib(node)});
    }
    return memory;
}

unsigned ProfileRunner::follower_of(unsigned leader) {
    for (const unsigned node : cluster_.running_nodes()) {
        if (node != leader) return node;
    }
    return leader;  // a one-node cluster: its leader is the only replica there is
}

PhaseResult ProfileRunner::run_fill_creates() {
    // The fill is set-up, not a measurement: if leadership moves, the creates follow it, in
    // rounds sent to whoever leads, until options_.fill have succeeded. The rounds share one
    // clock, so that their records merge into one table.
    RunClock clock;
    PhaseResult fill{"fill", "", cluster_.wait_for_leader(options_.leader_deadline), {}};
    fill.run.description = {"create",
                            cluster_.http_endpoint(fill.node).url(),
                            LoopMode::Closed,
                            0,
                            options_.closed_connections,
                            0,
                            options_.fill,
                            LatencyOrigin::Sent};
    if (const auto before = fetch_status(cluster_.http_endpoint(fill.node), probe_timeout)) {
        fill.leader_before = before->leader;
        fill.term_before = before->term;
    }
    std::uint64_t successes = 0;
    unsigned leader = fill.node;
    const std::uint64_t rounds_max = options_.fill / fill_round_requests + fill_rounds_extra_max;
    for (std::uint64_t round = 0; successes < options_.fill; ++round) {
        throw_if_interrupted();
        if (round >= rounds_max) {
            throw std::runtime_error(fmt::format("fill: {} of {} created after {} rounds",
                                                 successes, options_.fill, round));
        }
        if (round > 0) leader = cluster_.wait_for_leader(options_.leader_deadline);
        const CreateTarget target(std::string(default_body_template), next_sequence_);
        LoadPlan plan;
        plan.description = fill.run.description;
        plan.description.requests_max = std::min(options_.fill - successes, fill_round_requests);
        plan.settings.endpoint = cluster_.http_endpoint(leader);
        plan.settings.timeout = options_.request_timeout;
        plan.settings.threads = options_.threads;
        plan.settings.clock = &clock;
        plan.progress = options_.progress;
        LoadRun run = execute_load(target, plan);
        cluster_.check_running();
        for (RequestResult& result : run.record.results) {
            result.sequence += fill.run.record.results.size();
        }
        next_sequence_ += run.metrics.requests;
        successes += run.metrics.successes;
        std::vector<RunRecord> parts;
        parts.push_back(std::move(fill.run.record));
        parts.push_back(std::move(run.record));
        fill.run.record = merge_records(std::move(parts));
    }
    fill.run.metrics = summarize(fill.run.record, LatencyOrigin::Sent);
    if (const auto after = fetch_status(cluster_.http_endpoint(leader), probe_timeout)) {
        fill.leader_after = after->leader;
        fill.term_after = after->term;
    }
    fill.title = fmt::format(
        "fill: {} URLs created on the leader (node {}{}), closed loop, {} connections",
        options_.fill, fill.node, leader == fill.node ? "" : fmt::format(", then node {}", leader),
        options_.closed_connections);
    if (listener_.on_phase) listener_.on_phase(fill);
    return fill;
}

FillResult ProfileRunner::run_fill() {
    FillResult fill;
    fill.phase = run_fill_creates();
    const unsigned leader = cluster_.wait_for_leader(options_.leader_deadline);
    const auto status = fetch_status(cluster_.http_endpoint(leader), probe_timeout);
    if (!status) throw NodeFailure(fmt::format("leader node {} does not answer /status", leader));
    fill.commit_index = status->commit_index;
    fill.urls = status->urls;
    note(fmt::format("fill: waiting for every node to apply index {}", fill.commit_index));
    for (const unsigned node : cluster_.running_nodes()) {
        cluster_.wait_applied(node, fill.commit_index, restart_deadline);
    }
    fill.memory = measure_memory();
    fill.restarted_node = follower_of(leader);
    if (listener_.on_fill) listener_.on_fill(fill, false);
    const auto stopping = SteadyClock::now();
    cluster_.stop(fill.restarted_node);
    fill.stop_time = since(stopping);
    const auto starting = SteadyClock::now();
    cluster_.start(fill.restarted_node);
    const HttpEndpoint endpoint = cluster_.http_endpoint(fill.restarted_node);
    while (probe(endpoint, {HttpMethod::Get, "/healthz", {}}, probe_timeout).status_code != 200) {
        cluster_.check_running();
        throw_if_interrupted();
        if (since(starting) > restart_deadline) {
            throw NodeFailure(fmt::format("node {} did not answer /healthz within {}",
                                          fill.restarted_node,
                                          format_go_duration(restart_deadline)));
        }
        std::this_thread::sleep_for(healthz_poll_interval);
    }
    fill.healthy_time = since(starting);
    cluster_.wait_applied(fill.restarted_node, fill.commit_index, restart_deadline);
    fill.caught_up_time = since(starting);
    fill.resident_set_kib_after_restart = cluster_.resident_set_kib(fill.restarted_node);
    if (listener_.on_fill) listener_.on_fill(fill, true);
    return fill;
}

void ProfileRunner::run_failovers(ClusterReport& report) {
    if (cluster_.size() < 3) {
        note(
            "failover: skipped; with fewer than 3 nodes the survivors of a leader's crash are "
            "no majority");
        return;
    }
    for (unsigned run = 1; run <= options_.failover_runs; ++run) {
        const unsigned leader = cluster_.wait_for_leader(options_.leader_deadline);
        wait_all_caught_up(leader);
        throw_if_interrupted();
        FailoverRun failover = measure_failover(cluster_, leader, options_.leader_deadline);
        report.failovers.push_back(failover);
        if (listener_.on_failover) listener_.on_failover(failover, run, options_.failover_runs);
        // Bring the killed node back and let it catch up, so that every run starts from a
        // whole cluster.
        cluster_.start(failover.killed_node);
        const unsigned new_leader = cluster_.wait_for_leader(options_.leader_deadline);
        wait_all_caught_up(new_leader);
    }
}

ClusterReport ProfileRunner::run() {
    ClusterReport report;
    report.nodes = cluster_.size();
    report.options = options_;
    const DurationNs duration = options_.phase_duration;
    cluster_.start_all();
    unsigned leader = cluster_.wait_for_leader(options_.leader_deadline);
    note(fmt::format("leader: node {} ({})", leader, cluster_.http_endpoint(leader).url()));
    for (const double rate : {options_.write_rate_low, options_.write_rate_high}) {
        leader = cluster_.wait_for_leader(options_.leader_deadline);
        report.phases.push_back(
            run_create_phase({fmt::format("write-{:g}", rate),
                              fmt::format("write: creates on the leader (node {}) at {:g}/s for {}",
                                          leader, rate, format_go_duration(duration)),
                              leader, LoopMode::Open, rate, 0, duration, 0, true}));
    }
    if (created_ids_.empty()) throw std::runtime_error("no create succeeded; nothing to read");
    leader = cluster_.wait_for_leader(options_.leader_deadline);
    wait_all_caught_up(leader);
    const unsigned follower = follower_of(leader);
    const ReadTarget reads(created_ids_);
    report.phases.push_back(run_phase(
        {fmt::format("read-follower-{:g}", options_.read_rate),
         fmt::format("read: GET of {} created ids on {} (node {}) at {:g}/s for {}",
                     created_ids_.size(), follower == leader ? "the only node" : "a follower",
                     follower, options_.read_rate, format_go_duration(duration)),
         follower, LoopMode::Open, options_.read_rate, 0, duration, 0, false},
        reads));
    leader = cluster_.wait_for_leader(options_.leader_deadline);
    report.phases.push_back(run_create_phase(
        {"write-max",
         fmt::format("write: maximum rate on the leader (node {}), closed loop, {} connections, "
                     "for {}",
                     leader, options_.closed_connections, format_go_duration(duration)),
         leader, LoopMode::Closed, 0, options_.closed_connections, duration, 0, false}));
    if (options_.fill > 0) report.fill = run_fill();
    leader = cluster_.wait_for_leader(options_.leader_deadline);
    wait_all_caught_up(leader);
    report.memory_after_load = measure_memory();
    run_failovers(report);
    report.memory_at_end = measure_memory();
    return report;
}

}  // namespace

ClusterReport run_cluster_profile(LocalCluster& cluster, const ProfileOptions& options,
                                  const ProfileListener& listener) {
    ProfileRunner runner(cluster, options, listener);
    return runner.run();
}

}  // namespace raftlink::bench
