// SPDX-License-Identifier: MIT
#include "apps/bench/failover.h"

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "apps/bench/load_worker.h"
#include "core/assert.h"

namespace raftlink::bench {
namespace {

/// A create that takes longer than this is abandoned and sent again: a survivor that is
/// still electing may hold it, and the next attempt must not wait behind it.
constexpr DurationNs attempt_timeout = 500 * millisecond;

/// The shared state of one measurement, on one io_context thread.
struct Race {
    boost::asio::io_context context{1};
    std::chrono::steady_clock::time_point killed_at;
    std::chrono::steady_clock::time_point deadline;
    std::optional<std::chrono::steady_clock::time_point> succeeded_at;
    unsigned winner = 0;
    std::uint64_t attempts = 0;
};

/// Sends creates to one survivor until some survivor succeeds or the deadline passes.
class Prober : public std::enable_shared_from_this<Prober> {
public:
    Prober(Race& race, unsigned node, HttpEndpoint endpoint)
        : race_(race),
          node_(node),
          endpoint_(std::move(endpoint)),
          endpoints_(resolve_endpoint(endpoint_)),
          timer_(race.context) {}

    void attempt() {
        if (race_.succeeded_at || std::chrono::steady_clock::now() >= race_.deadline) return;
        ++race_.attempts;
        // A fresh connection per attempt: the survivor's old keep-alive state does not matter
        // and a timed-out attempt cannot block the next.
        connection_ =
            std::make_shared<HttpConnection>(race_.context, endpoints_, endpoint_.authority());
        const PreparedRequest request{
            HttpMethod::Post, "/",
            "https://example.com/failover/" + std::to_string(race_.attempts)};
        connection_->exchange(
            request, attempt_timeout,
            [self = shared_from_this()](ExchangeOutcome outcome) { self->on_answer(outcome); });
    }

private:
    void on_answer(const ExchangeOutcome& outcome) {
        connection_->close();
        if (race_.succeeded_at) return;
        if (outcome.status_code == 201) {
            race_.succeeded_at = std::chrono::steady_clock::now();
            race_.winner = node_;
            return;
        }
        timer_.expires_after(std::chrono::nanoseconds(failover_poll_interval));
        timer_.async_wait(
            [self = shared_from_this()](boost::system::error_code) { self->attempt(); });
    }

    Race& race_;
    unsigned node_;
    HttpEndpoint endpoint_;
    Endpoints endpoints_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<HttpConnection> connection_;
};

}  // namespace

FailoverRun measure_failover(LocalCluster& cluster, unsigned leader, DurationNs deadline) {
    ASSERT(cluster.running(leader));
    Race race;
    std::vector<std::shared_ptr<Prober>> probers;
    for (const unsigned node : cluster.running_nodes()) {
        if (node != leader) {
            probers.push_back(std::make_shared<Prober>(race, node, cluster.http_endpoint(node)));
        }
    }
    FailoverRun run;
    run.killed_node = leader;
    run.killed_pid = cluster.pid(leader);
    race.killed_at = std::chrono::steady_clock::now();
    race.deadline = race.killed_at + std::chrono::nanoseconds(deadline);
    cluster.kill(leader);
    for (const auto& prober : probers) prober->attempt();
    race.context.run();
    if (!race.succeeded_at) {
        throw NodeFailure("no create succeeded within " + format_go_duration(deadline) +
                          " after killing leader node " + std::to_string(leader));
    }
    run.time_to_first_create =
        std::chrono::duration_cast<std::chrono::nanoseconds>(*race.succeeded_at - race.killed_at)
            .count();
    run.new_leader = race.winner;
    run.attempts = race.attempts;
    return run;
}

}  // namespace raftlink::bench
