// SPDX-License-Identifier: MIT
#include "io/sim/workload.h"

#include <utility>

#include "core/assert.h"
#include "core/fsm/short_code.h"
#include "core/text.h"
#include "io/sim/latency.h"

namespace raftlink::sim {
namespace {
// After a 503 (no leader known), wait this long before trying another node.
constexpr Nanos no_leader_backoff = ms(20);
// Share of linearizable reads that probe the id of a create that may still be in flight.
constexpr double probe_ratio = 0.25;
// A probe reads the id of one of the next this many indexes past the highest acknowledged.
constexpr std::uint64_t probe_index_span = 4;

}  // namespace

Workload::Workload(const Scenario& scenario, std::uint64_t seed, EventLoop& loop,
                   Cluster& cluster, Checker& checker, History& history, Report report)
    : scenario_(scenario),
      loop_(loop),
      cluster_(cluster),
      checker_(checker),
      history_(history),
      report_(std::move(report)),
      prng_(Prng::derive(seed, "sim.workload", 0)) {
    ASSERT_LE(scenario.workload.clients, std::uint64_t{UINT32_MAX});  // see AttemptId
    for (std::uint64_t i = 0; i < scenario.workload.clients; ++i) {
        Client client;
        client.id = i + 1;
        // Every URL and key of a client starts with these; each create writes the rest.
        client.create.url = concat("https://example.com/c", client.id, "/");
        client.url_prefix = client.create.url.size();
        client.create.idempotency_key = concat("client-", client.id, "-op-");
        client.key_prefix = client.create.idempotency_key.size();
        clients_.push_back(std::move(client));
    }
}

void Workload::start() {
    for (std::size_t c = 0; c < clients_.size(); ++c) {
        const Nanos think = sample_latency(scenario_.workload.think_time, prng_);
        loop_.at(scenario_.workload.start_at + think, [this, c]() { next_operation(c); });
    }
}

void Workload::make_create(Client& client) {
    // Written over the previous create's strings, whose buffers and prefixes they reuse.
    std::string& url = client.create.url;
    url.resize(client.url_prefix);
    append_text(url, client.operations, '/');
    while (url.size() < scenario_.workload.url_bytes) {
        url.push_back(static_cast<char>('a' + prng_.below(26)));
    }
    std::string& key = client.create.idempotency_key;
    key.resize(client.key_prefix);
    append_text(key, client.operations);
}

std::string Workload::code_to_read(bool linearizable) {
    if (linearizable && prng_.chance(probe_ratio)) {
        // Ids derive from log indexes under the cluster's key, which every store knows.
        for (std::size_t i = 0; i < cluster_.size(); ++i) {
            const Replica* replica = cluster_.replica(i);
            if (replica == nullptr) continue;
            const LogIndex index = acknowledged_index_max_ + 1 + prng_.below(probe_index_span);
            return fsm::short_code_for(index, replica->store().code_key());
        }
    }
    return known_codes_[prng_.below(known_codes_.size())];
}

void Workload::next_operation(std::size_t c) {
    Client& client = clients_[c];
    ++client.operations;
    if (scenario_.workload.sticky_leader && client.leader) {
        client.target = *client.leader;
    } else {
        client.target = static_cast<std::size_t>(prng_.below(cluster_.size()));
    }
    client.reading = !known_codes_.empty() && prng_.chance(scenario_.workload.resolve_ratio);
    if (client.reading) {
        // NB: no draw when the ratio is 0, so scenarios without linearizable reads replay as
        // they did before these existed.
        const double ratio = scenario_.workload.linearizable_ratio;
        const bool linearizable = ratio > 0 && prng_.chance(ratio);
        client.consistency = linearizable ? service::ReadConsistency::Linearizable
                                          : service::ReadConsistency::Stale;
        client.code = code_to_read(linearizable);
        client.operation = history_.invoke_read(client.id, client.code, client.consistency,
                                                loop_.now());
    } else {
        make_create(client);
        client.operation = history_.invoke_create(client.id, client.create.idempotency_key,
                                                  client.create.url, loop_.now());
    }
    send_attempt(c);
}

void Workload::bump_attempt(Client& client) {
    ASSERT_LT(client.attempt, UINT32_MAX);
    ++client.attempt;
}

void Workload::send_attempt(std::size_t c) {
    Client& client = clients_[c];
    bump_attempt(client);
    const AttemptId id{static_cast<std::uint32_t>(c), client.attempt};
    const std::size_t target = client.target;
    // The request crosses the network; the node may be down when it arrives.
    loop_.after(cluster_.network().sample_delay(), [this, id, target]() {
        Replica* replica = cluster_.replica(target);
        if (replica == nullptr) return;  // lost; the client's timeout retries
        // Drawn for every request that reaches its node, stale or not.
        const Nanos back = cluster_.network().sample_delay();
        Client& sender = clients_[id.client];
        if (sender.attempt == id.attempt) sender.answer_delay = back;
        if (sender.reading) {
            if (sender.consistency == service::ReadConsistency::Stale) {
                // Answered at once from the node's store, as resolve(code, Stale, done) does,
                // without a callback and a copy of the code to build.
                deliver_read(id, replica->resolve(sender.code));
                return;
            }
            replica->resolve(sender.code, sender.consistency,
                             [this, id](const service::ResolveResponse& answer) {
                                 deliver_read(id, answer);
                             });
            return;
        }
        replica->shorten(sender.create, [this, id](const service::ShortenResponse& answer) {
            deliver_create(id, answer);
        });
    });
    client.timed_attempt = id.attempt;
    client.timeout_at = loop_.now() + scenario_.workload.request_timeout;
    if (!client.timer_armed) {
        client.timer_armed = true;
        loop_.at(client.timeout_at, [this, c]() { on_timer(c); });
    }
}

void Workload::on_timer(std::size_t c) {
    Client& client = clients_[c];
    client.timer_armed = false;
    // Answered, or given up for a retry or the next operation: whatever was sent since then
    // armed no timer of its own while this one was pending, so it is armed for that now.
    if (client.attempt != client.timed_attempt) return;
    if (client.timeout_at > loop_.now()) {
        client.timer_armed = true;
        loop_.at(client.timeout_at, [this, c]() { on_timer(c); });
        return;
    }
    ++stats_.timeouts;
    client.leader.reset();
    retry(c, (client.target + 1) % cluster_.size(), 0);
}

void Workload::retry(std::size_t c, std::size_t target, Nanos delay) {
    ++stats_.retries;
    bump_attempt(clients_[c]);  // answers to the old attempt are now stale
    clients_[c].target = target;
    loop_.after(delay, [this, c]() { send_attempt(c); });
}

void Workload::retry_elsewhere(std::size_t c, NodeId leader) {
    // A 409 names the leader; a 503, or a 409 without a leader, sends the client elsewhere.
    if (leader != no_node) {
        clients_[c].leader = leader.value - 1;
        retry(c, leader.value - 1, 0);
    } else {
        clients_[c].leader.reset();
        retry(c, prng_.below(cluster_.size()), no_leader_backoff);
    }
}

void Workload::think(std::size_t c) {
    bump_attempt(clients_[c]);  // the operation is over: late answers are stale
    loop_.after(sample_latency(scenario_.workload.think_time, prng_),
                [this, c]() { next_operation(c); });
}

void Workload::deliver_create(AttemptId id, const service::ShortenResponse& answer) {
    // A stale answer would be ignored on arrival (attempts only move on): it does not travel.
    Client& client = clients_[id.client];
    if (client.attempt != id.attempt) return;
    service::ShortenResponse& kept = client.create_answer;
    kept.status = answer.status;
    kept.record = answer.record;
    kept.deduplicated = answer.deduplicated;
    kept.leader_id = answer.leader_id;
    // The message is read only for an invalid request (which fails the run).
    if (answer.status == service::ShortenStatus::Invalid) {
        kept.message = answer.message;
    } else {
        kept.message.clear();
    }
    loop_.after(client.answer_delay, [this, id]() { on_create_answer(id.client, id.attempt); });
}

void Workload::deliver_read(AttemptId id, service::ResolveResponse answer) {
    Client& client = clients_[id.client];
    if (client.attempt != id.attempt) return;  // stale: see deliver_create
    client.read_answer = std::move(answer);
    loop_.after(client.answer_delay, [this, id]() { on_read_answer(id.client, id.attempt); });
}

void Workload::on_create_answer(std::size_t c, std::uint32_t attempt) {
    Client& client = clients_[c];
    if (client.attempt != attempt) return;
    const service::ShortenResponse& answer = client.create_answer;
    using service::ShortenStatus;
    switch (answer.status) {
        case ShortenStatus::Created: {
            history_.complete_create(client.operation, answer.record, loop_.now());
            ++stats_.creates_acknowledged;
            client.leader = client.target;  // only a leader acknowledges a create
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
            if (answer.record.index > acknowledged_index_max_) {
                acknowledged_index_max_ = answer.record.index;
            }
            break;
        }
        case ShortenStatus::NotLeader:
            retry_elsewhere(c, answer.leader_id);
            return;
        case ShortenStatus::NoLeader:
            retry_elsewhere(c, no_node);
            return;
        case ShortenStatus::Timeout:
            retry(c, client.target, 0);
            return;
        case ShortenStatus::Invalid:
            history_.fail(client.operation, loop_.now());
            report_(Violation{Violation::Kind::Safety, "valid requests accepted",
                              concat("node rejected ", client.create.url, ": ", answer.message)});
            return;
    }
    think(c);
}

void Workload::on_read_answer(std::size_t c, std::uint32_t attempt) {
    Client& client = clients_[c];
    if (client.attempt != attempt) return;
    service::ResolveResponse& answer = client.read_answer;
    using service::ResolveStatus;
    std::optional<std::string> url;
    switch (answer.status) {
        case ResolveStatus::Found:
            url = std::move(answer.url);  // the answer is read once
            ++stats_.reads_found;
            break;
        case ResolveStatus::NotFound:
            ++stats_.reads_not_found;
            break;
        case ResolveStatus::NotLeader:
            retry_elsewhere(c, answer.leader_id);
            return;
        case ResolveStatus::NoLeader:
            retry_elsewhere(c, no_node);
            return;
        case ResolveStatus::Timeout:
            retry(c, client.target, 0);
            return;
        case ResolveStatus::Invalid:
            history_.fail(client.operation, loop_.now());
            report_(Violation{Violation::Kind::Safety, "valid requests accepted",
                              concat("node rejected short id ", client.code)});
            return;
    }
    if (client.consistency == service::ReadConsistency::Linearizable) ++stats_.reads_linearizable;
    // Checked before the history takes the URL (neither looks at the other), so that the
    // URL is not copied twice.
    std::optional<Violation> violation = checker_.on_read(client.code, url);
    history_.complete_read(client.operation, std::move(url), loop_.now());
    if (violation) {
        report_(*violation);
        return;
    }
    think(c);
}

}  // namespace raftlink::sim
