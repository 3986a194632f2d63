// SPDX-License-Identifier: MIT
#include "apps/bench/attack_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

#include "apps/bench/cli_common.h"
#include "apps/bench/interrupt.h"
#include "apps/bench/node_probe.h"
#include "apps/bench/vegeta_format.h"

namespace raftlink::bench {
namespace {

/// Connections used to create the ids a read run needs (--prefill).
constexpr unsigned prefill_connections = 16;
/// How long a read run waits for its node to apply the prefilled ids.
constexpr auto catch_up_deadline = std::chrono::seconds(10);

/// Why the arguments cannot work together, or empty.
std::string check_arguments(const AttackArguments& arguments) {
    const bool reads = arguments.target == "read";
    if (reads && arguments.ids_file.empty() && arguments.prefill == 0) {
        return "--target read needs ids: --ids FILE or --prefill N";
    }
    if (!reads && (!arguments.ids_file.empty() || arguments.prefill > 0)) {
        return "--ids and --prefill are for --target read";
    }
    if (reads && !arguments.save_ids_file.empty()) return "--save-ids is for --target create";
    if (reads && arguments.create_path != "/") return "--path is for --target create";
    if (arguments.create_path.empty() || arguments.create_path.front() != '/' ||
        arguments.create_path.find_first_of(" \t\r\n") != std::string::npos) {
        return "--path must start with / and hold no spaces or line breaks";
    }
    if (arguments.mode == "open" && !(arguments.rate > 0)) return "--rate must be above 0";
    if (arguments.mode == "closed" && parse_checked_duration(arguments.duration) == 0 &&
        arguments.requests_max == 0) {
        return "a closed loop needs a --duration above 0 or --requests";
    }
    if (arguments.json_results && arguments.json_file.empty()) {
        return "--json-results needs --json FILE";
    }
    return {};
}

/// Waits until `reader` has applied what `leader` has committed, so that a read run on a
/// follower does not start with 404s for ids it has not applied yet.
void wait_applied(const HttpEndpoint& reader, const HttpEndpoint& leader) {
    const auto committed = fetch_status(leader, second);
    if (!committed) return;
    const auto deadline = std::chrono::steady_clock::now() + catch_up_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        throw_if_interrupted();
        const auto status = fetch_status(reader, second);
        if (status && status->applied_index >= committed->commit_index) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "prefill: %s has not applied index %llu yet; reading anyway\n",
                 reader.url().c_str(), static_cast<unsigned long long>(committed->commit_index));
}

/// Creates `count` URLs on the leader that `url` names and returns their ids.
std::vector<std::string> prefill_ids(const HttpEndpoint& endpoint, std::uint64_t count,
                                     const LoadSettings& base, ProgressMode progress) {
    const auto leader = find_leader(endpoint, 2 * second);
    if (!leader) throw std::runtime_error("--prefill: no leader known at " + endpoint.url());
    const CreateTarget creates{std::string(default_body_template)};
    LoadPlan plan;
    plan.description = {"create", leader->url(), LoopMode::Closed,   0, prefill_connections,
                        0,        count,         LatencyOrigin::Sent};
    plan.settings = base;
    plan.settings.endpoint = *leader;
    plan.settings.collect_ids = true;
    plan.progress = progress;
    std::fprintf(stderr, "prefill: creating %llu URLs on %s\n",
                 static_cast<unsigned long long>(count), leader->url().c_str());
    LoadRun run = execute_load(creates, plan);
    if (run.record.created_ids.empty()) {
        throw std::runtime_error("--prefill: no create succeeded on " + leader->url());
    }
    std::fprintf(stderr, "prefill: %zu of %llu created\n", run.record.created_ids.size(),
                 static_cast<unsigned long long>(count));
    wait_applied(endpoint, *leader);
    return std::move(run.record.created_ids);
}

std::unique_ptr<RequestTarget> make_target(const AttackArguments& arguments,
                                           const HttpEndpoint& endpoint,
                                           const LoadSettings& settings, ProgressMode progress) {
    if (arguments.target == "create") {
        return std::make_unique<CreateTarget>(arguments.body_template, arguments.sequence_first,
                                              arguments.create_path);
    }
    std::vector<std::string> ids;
    if (arguments.prefill > 0) {
        ids = prefill_ids(endpoint, arguments.prefill, settings, progress);
    } else {
        auto loaded = load_ids(arguments.ids_file);
        if (!loaded) throw std::runtime_error("cannot read " + arguments.ids_file);
        if (loaded->empty()) throw std::runtime_error(arguments.ids_file + " holds no ids");
        ids = std::move(*loaded);
    }
    return std::make_unique<ReadTarget>(std::move(ids));
}

LoadPlan make_plan(const AttackArguments& arguments, const HttpEndpoint& endpoint) {
    LoadPlan plan;
    RunDescription& description = plan.description;
    description.target = arguments.target;
    description.url = endpoint.url();
    description.mode = arguments.mode == "closed" ? LoopMode::Closed : LoopMode::Open;
    description.rate = arguments.rate;
    description.connections = arguments.connections;
    description.duration = parse_checked_duration(arguments.duration);
    description.requests_max = arguments.requests_max;
    description.latency_origin =
        arguments.latency_from == "scheduled" ? LatencyOrigin::Scheduled : LatencyOrigin::Sent;
    plan.settings.endpoint = endpoint;
    plan.settings.timeout = parse_checked_duration(arguments.timeout);
    plan.settings.threads = arguments.threads;
    plan.settings.collect_ids = !arguments.save_ids_file.empty();
    plan.connections_max = arguments.connections_max;
    plan.progress = parse_progress_mode(arguments.progress, arguments.quiet);
    return plan;
}

}  // namespace

int command_attack(const AttackArguments& arguments) {
    const auto endpoint = parse_http_url(arguments.url);
    if (!endpoint) {
        std::fprintf(stderr, "bench: --url %s is not http://HOST:PORT\n", arguments.url.c_str());
        return exit_usage;
    }
    if (const std::string problem = check_arguments(arguments); !problem.empty()) {
        std::fprintf(stderr, "bench: %s\n", problem.c_str());
        return exit_usage;
    }
    const LoadPlan plan = make_plan(arguments, *endpoint);
    LoadRun run;
    try {
        const auto target = make_target(arguments, *endpoint, plan.settings, plan.progress);
        throw_if_interrupted();
        run = execute_load(*target, plan);
    } catch (const Interrupted&) {
        return exit_interrupted;
    } catch (const std::runtime_error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return exit_failure;
    }
    std::fputs(format_vegeta_text(run.metrics).c_str(), stdout);
    if (run.description.mode == LoopMode::Open) {
        std::fputs(format_late_launches(run.metrics).c_str(), stdout);
    }
    std::fflush(stdout);
    if (run.record.interrupted)
        std::fputs("bench: interrupted; the report covers the requests launched\n", stderr);
    bool ok =
        write_run_outputs(run, arguments.json_file, arguments.json_results, arguments.svg_file);
    if (!arguments.save_ids_file.empty()) {
        if (save_ids(arguments.save_ids_file, run.record.created_ids)) {
            std::fprintf(stderr, "saved %zu ids to %s\n", run.record.created_ids.size(),
                         arguments.save_ids_file.c_str());
        } else {
            std::fprintf(stderr, "bench: cannot write %s\n", arguments.save_ids_file.c_str());
            ok = false;
        }
    }
    if (run.record.interrupted) return exit_interrupted;
    return ok ? exit_ok : exit_failure;
}

}  // namespace raftlink::bench
