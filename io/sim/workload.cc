// SPDX-License-Identifier: MIT
#include "io/sim/workload.h"

#include <utility>

#include "core/assert.h"
#include "core/text.h"
#include "io/sim/latency.h"

namespace raftlink::sim {
namespace {
// After a 503 (no leader known), wait this long before trying another node.
constexpr Nanos no_leader_backoff = ms(20);
}  // namespace

Workload::Workload(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                   Cluster& cluster, Checker& checker, Report report)
    : scenario_(scenario),
      loop_(loop),
      cluster_(cluster),
      checker_(checker),
      report_(std::move(report)),
      prng_(Prng::derive(seed, "sim.workload", 0)) {
    for (std::uint64_t i = 0; i < scenario.workload.clients; ++i) {
        Client client;
        client.id = i + 1;
        clients_.push_back(std::move(client));
    }
}

void Workload::start() {
    for (std::size_t c = 0; c < clients_.size(); ++c) {
        const Nanos think = sample_latency(scenario_.workload.think_time, prng_);
        loop_.at(scenario_.workload.start_at + think, [this, c]() { next_operation(c); });
    }
}

std::string Workload::make_url(Client& client) {
    std::string url = concat("https://example.com/c", client.id, "/", client.operations, "/");
    while (url.size() < scenario_.workload.url_bytes) {
        url.push_back(static_cast<char>('a' + prng_.below(26)));
    }
    return url;
}

void Workload::next_operation(std::size_t c) {
    Client& client = clients_[c];
    ++client.operations;
    client.target = static_cast<std::size_t>(prng_.below(cluster_.size()));
    client.reading = !known_codes_.empty() && prng_.chance(scenario_.workload.resolve_ratio);
    if (client.reading) {
        client.code = known_codes_[prng_.below(known_codes_.size())];
    } else {
        client.create.url = make_url(client);
        client.create.idempotency_key = concat("client-", client.id, "-op-", client.operations);
    }
    send_attempt(c);
}

void Workload::send_attempt(std::size_t c) {
    Client& client = clients_[c];
    const std::uint64_t attempt = ++client.attempt;
    const std::size_t target = client.target;
    // The request crosses the network; the node may be down when it arrives.
    loop_.after(cluster_.network().sample_delay(), [this, c, attempt, target]() {
        Replica* replica = cluster_.replica(target);
        if (replica == nullptr) return;  // lost; the client's timeout retries
        const Nanos back = cluster_.network().sample_delay();
        if (clients_[c].reading) {
            const service::ResolveResponse answer = replica->resolve(clients_[c].code);
            loop_.after(back, [this, c, attempt, answer]() { on_read_answer(c, attempt, answer); });
            return;
        }
        replica->shorten(clients_[c].create,
                         [this, c, attempt, back](const service::ShortenResponse& answer) {
                             loop_.after(back, [this, c, attempt, answer]() {
                                 on_create_answer(c, attempt, answer);
                             });
                         });
    });
    loop_.after(scenario_.workload.request_timeout, [this, c, attempt]() {
        if (clients_[c].attempt != attempt) return;
        ++stats_.timeouts;
        retry(c, (clients_[c].target + 1) % cluster_.size(), 0);
    });
}

void Workload::retry(std::size_t c, std::size_t target, Nanos delay) {
    ++stats_.retries;
    ++clients_[c].attempt;  // answers to the old attempt are now stale
    clients_[c].target = target;
    loop_.after(delay, [this, c]() { send_attempt(c); });
}

void Workload::on_create_answer(std::size_t c, std::uint64_t attempt,
                                const service::ShortenResponse& answer) {
    Client& client = clients_[c];
    if (client.attempt != attempt) return;
    using service::ShortenStatus;
    switch (answer.status) {
        case ShortenStatus::Created: {
            ++stats_.creates_acknowledged;
            if (answer.deduplicated) ++stats_.creates_deduplicated;
            if (answer.record.url != client.create.url) {
                report_(Violation{Violation::Kind::Safety, "idempotent creates",
                                  concat("client ", client.id, " created ", client.create.url,
                                         " but got ", answer.record.code, " for ",
                                         answer.record.url)});
                return;
            }
            if (auto violation = checker_.on_create_acknowledged(answer.record)) {
                report_(*violation);
                return;
            }
            known_codes_.push_back(answer.record.code);
            break;
        }
        case ShortenStatus::NotLeader:
            if (answer.leader_id != no_node) {
                retry(c, answer.leader_id.value - 1, 0);
            } else {
                retry(c, prng_.below(cluster_.size()), no_leader_backoff);
            }
            return;
        case ShortenStatus::NoLeader:
            retry(c, prng_.below(cluster_.size()), no_leader_backoff);
            return;
        case ShortenStatus::Timeout:
            retry(c, client.target, 0);
            return;
        case ShortenStatus::Invalid:
            report_(Violation{Violation::Kind::Safety, "valid requests accepted",
                              concat("node rejected ", client.create.url, ": ", answer.message)});
            return;
    }
    ++client.attempt;
    loop_.after(sample_latency(scenario_.workload.think_time, prng_),
                [this, c]() { next_operation(c); });
}

void Workload::on_read_answer(std::size_t c, std::uint64_t attempt,
                              const service::ResolveResponse& answer) {
    Client& client = clients_[c];
    if (client.attempt != attempt) return;
    std::optional<std::string> url;
    if (answer.status == service::ResolveStatus::Found) {
        url = answer.url;
        ++stats_.reads_found;
    } else {
        ++stats_.reads_not_found;
    }
    if (auto violation = checker_.on_read(client.code, url)) {
        report_(*violation);
        return;
    }
    ++client.attempt;
    loop_.after(sample_latency(scenario_.workload.think_time, prng_),
                [this, c]() { next_operation(c); });
}

}  // namespace raftlink::sim
