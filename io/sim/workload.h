// SPDX-License-Identifier: MIT
// Simulated clients that create and resolve short URLs through core/service, over the
// simulated network, the way a real client would: a create goes to a node chosen at random,
// follows the 409's leader hint, retries after 503 or a timeout on another node, and always
// retries with the same idempotency key, so a retry never creates a second short URL.
//
// Each client has one request outstanding at a time and thinks between requests. Every
// acknowledged create and every read is reported to the Checker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/prng.h"
#include "core/service/requests.h"
#include "io/sim/checker.h"
#include "io/sim/cluster.h"
#include "io/sim/event_loop.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

struct WorkloadStats {
    std::uint64_t creates_acknowledged = 0;
    std::uint64_t creates_deduplicated = 0;
    std::uint64_t reads_found = 0;
    std::uint64_t reads_not_found = 0;
    std::uint64_t retries = 0;
    std::uint64_t timeouts = 0;
};

class Workload {
public:
    /// `report` receives the first violation a client observes.
    using Report = std::function<void(const Violation&)>;

    Workload(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, Cluster& cluster,
             Checker& checker, Report report);

    /// Schedules every client's first request at the workload's start time.
    void start();
    const WorkloadStats& stats() const { return stats_; }

private:
    struct Client {
        std::uint64_t id = 0;
        std::size_t target = 0;       // node index the next attempt goes to
        std::uint64_t attempt = 0;    // bumped per attempt; stale answers are ignored
        std::uint64_t operations = 0;
        bool reading = false;
        service::ShortenRequest create;
        std::string code;             // the id being read
    };

    void next_operation(std::size_t client);
    void send_attempt(std::size_t client);
    void on_create_answer(std::size_t client, std::uint64_t attempt,
                          const service::ShortenResponse& response);
    void on_read_answer(std::size_t client, std::uint64_t attempt,
                        const service::ResolveResponse& response);
    void retry(std::size_t client, std::size_t target, Nanos delay);
    std::string make_url(Client& client);

    const Scenario& scenario_;
    EventLoop& loop_;
    Cluster& cluster_;
    Checker& checker_;
    Report report_;
    Prng prng_;
    std::vector<Client> clients_;
    std::vector<std::string> known_codes_;
    WorkloadStats stats_;
};

}  // namespace raftlink::sim
