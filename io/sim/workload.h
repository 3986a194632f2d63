// SPDX-License-Identifier: MIT
// Simulated clients that create and resolve short URLs through core/service, over the
// simulated network, the way a real client would: a create goes to a node chosen at random,
// follows the 409's leader hint, retries after 503 or a timeout on another node, and always
// retries with the same idempotency key, so a retry never creates a second short URL.
//
// Reads are stale (any replica answers from its store) or, with the scenario's
// linearizable_ratio, linearizable (the leader answers; NotLeader, NoLeader and Timeout are
// retried like creates). Some linearizable reads probe the id of a create that may still be in
// flight, so that reads and creates of one id overlap and the linearizability check has
// something to decide.
//
// Each client has one request outstanding at a time and thinks between requests. With the
// scenario's sticky_leader, a client sends each new request to the node that last answered it
// as leader instead of a random one, as a client that keeps its connection does (the latency
// scenarios use it, so that a create's latency is not a 409 detour half of the time). Every
// operation is recorded in the History (one operation across all its retries); every
// acknowledged create and every read is also reported to the Checker at once.
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
#include "io/sim/history.h"
#include "io/sim/scenario.h"

namespace raftlink::sim {

struct WorkloadStats {
    std::uint64_t creates_acknowledged = 0;
    std::uint64_t creates_deduplicated = 0;
    std::uint64_t reads_found = 0;
    std::uint64_t reads_not_found = 0;
    std::uint64_t reads_linearizable = 0;   // answered, of reads_found + reads_not_found
    std::uint64_t retries = 0;
    std::uint64_t timeouts = 0;
};

class Workload {
public:
    /// `report` receives the first violation a client observes.
    using Report = std::function<void(const Violation&)>;

    Workload(const Scenario& scenario, std::uint64_t seed, EventLoop& loop, Cluster& cluster,
             Checker& checker, History& history, Report report);

    /// Schedules every client's first request at the workload's start time.
    void start();
    const WorkloadStats& stats() const { return stats_; }

private:
    struct Client {
        std::uint64_t id = 0;
        std::size_t target = 0;       // node index the next attempt goes to
        /// The node that last answered as leader (a 409's hint or an acknowledged create);
        /// with sticky_leader, new requests go there.
        std::optional<std::size_t> leader;
        /// Bumped per attempt (bump_attempt()); stale answers are ignored. 32 bits, so that
        /// an AttemptId is 8 bytes.
        std::uint32_t attempt = 0;
        /// The attempt sent last and when it times out. One timer per client stands for
        /// every attempt's timeout: most attempts are answered long before theirs, and an
        /// event per attempt (a tenth of a run's events) found nothing to do.
        std::uint32_t timed_attempt = 0;
        Nanos timeout_at = 0;
        bool timer_armed = false;
        std::uint64_t operations = 0;
        bool reading = false;
        service::ReadConsistency consistency = service::ReadConsistency::Stale;
        service::ShortenRequest create;
        /// The lengths of "https://example.com/c<id>/" and "client-<id>-op-", which begin
        /// every URL and idempotency key of this client.
        std::size_t url_prefix = 0;
        std::size_t key_prefix = 0;
        std::string code;             // the id being read
        OperationId operation = 0;    // in the history
        /// The answer to the current attempt, from when the node gives it until it reaches
        /// the client. An attempt gets at most one answer, and an arriving answer is read only
        /// if its attempt is still the current one, so one slot per client serves every
        /// answer in flight; assigned in place, its strings keep their buffers from one
        /// answer to the next, where an answer carried in each event's closure cost two
        /// allocations. A read's URL is not copied at all: the node's answer moves in, and
        /// the URL moves on to the history.
        service::ShortenResponse create_answer;
        service::ResolveResponse read_answer;
        /// How long the current attempt's answer takes back to the client, drawn when the
        /// attempt reached its node. Only the current attempt's answer travels (see
        /// deliver_create), so one value per client serves, and the answer callbacks need not
        /// carry it.
        Nanos answer_delay = 0;
    };

    /// Which attempt of which client a node's answer is for. With the Workload's `this` it
    /// makes a 16-byte callback, which std::function holds in place: a callback of 32 bytes
    /// (with the answer's delay) was allocated for every create (6,800 in speed-5 seed 1).
    struct AttemptId {
        std::uint32_t client = 0;
        std::uint32_t attempt = 0;
    };

    void next_operation(std::size_t client);
    void send_attempt(std::size_t client);
    /// Starts a new attempt of `client`: the answers to the earlier ones are now stale.
    static void bump_attempt(Client& client);
    /// The client's timer: times out the attempt sent last if it is still current and due.
    void on_timer(std::size_t client);
    /// The node answered `id`: if it is still the client's current attempt, the answer
    /// reaches the client answer_delay later; else it is dropped, as the client would ignore it.
    void deliver_create(AttemptId id, const service::ShortenResponse& answer);
    /// By value: the answer to a read of consistency Stale, given at once (most reads), moves
    /// in, URL and all.
    void deliver_read(AttemptId id, service::ResolveResponse answer);
    /// The answer to `attempt` reached the client (in the client's answer slot if current).
    void on_create_answer(std::size_t client, std::uint32_t attempt);
    void on_read_answer(std::size_t client, std::uint32_t attempt);
    void retry(std::size_t client, std::size_t target, Nanos delay);
    void retry_elsewhere(std::size_t client, NodeId leader);
    void think(std::size_t client);
    /// Writes the next create's URL and idempotency key into `client.create`.
    void make_create(Client& client);
    std::string code_to_read(bool linearizable);

    const Scenario& scenario_;
    EventLoop& loop_;
    Cluster& cluster_;
    Checker& checker_;
    History& history_;
    Report report_;
    Prng prng_;
    std::vector<Client> clients_;
    std::vector<std::string> known_codes_;
    LogIndex acknowledged_index_max_;  // the highest index of an acknowledged create
    WorkloadStats stats_;
};

}  // namespace raftlink::sim
