// SPDX-License-Identifier: MIT
#include "apps/bench/load_worker.h"

#include <algorithm>
#include <stdexcept>

#include "core/assert.h"

namespace raftlink::bench {

Endpoints resolve_endpoint(const HttpEndpoint& endpoint) {
    boost::asio::io_context context;
    boost::asio::ip::tcp::resolver resolver(context);
    std::string host = endpoint.host;
    // A bracketed IPv6 literal is a URL's spelling; the resolver wants the bare address.
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code error;
    auto results = resolver.resolve(host, std::to_string(endpoint.port), error);
    if (error || results.empty()) {
        throw std::runtime_error("cannot resolve " + endpoint.authority() + ": " + error.message());
    }
    return results;
}

LoadWorker::LoadWorker(const Endpoints& endpoints, const RequestTarget& target,
                       const LoadSettings& settings, std::size_t connections_max,
                       const RunClock& clock)
    : target_(target),
      settings_(settings),
      clock_(clock),
      pool_(context_, endpoints, settings.endpoint.authority(), connections_max) {}

void LoadWorker::launch(std::uint64_t sequence, DurationNs scheduled_ns,
                        std::function<void()> on_done) {
    RequestResult result;
    result.sequence = sequence;
    result.scheduled_ns = scheduled_ns;
    result.sent_ns = clock_.now();
    const std::size_t index = record_.results.size();
    record_.results.push_back(std::move(result));
    if (settings_.progress != nullptr) settings_.progress->on_launch();
    pool_.submit(target_.make(sequence), settings_.timeout,
                 [this, index, on_done = std::move(on_done)](ExchangeOutcome outcome) {
                     record_answer(index, std::move(outcome));
                     if (on_done) on_done();
                 });
}

void LoadWorker::record_answer(std::size_t index, ExchangeOutcome outcome) {
    ASSERT_LT(index, record_.results.size());
    RequestResult& result = record_.results[index];
    result.done_ns = clock_.now();
    result.status_code = static_cast<std::uint16_t>(outcome.status_code);
    result.bytes_in = outcome.body.size();
    result.bytes_out = outcome.bytes_out;
    result.error = std::move(outcome.error);
    const bool success = is_success(result.status_code);
    if (settings_.progress != nullptr) {
        settings_.progress->on_done(success, result.done_ns - result.sent_ns);
    }
    if (settings_.collect_ids && result.status_code == 201) {
        if (auto id = short_id_from_created(outcome.body)) {
            record_.created_ids.push_back(std::move(*id));
        }
    }
}

RunRecord merge_records(std::vector<RunRecord> records) {
    RunRecord merged;
    std::size_t total = 0;
    for (const RunRecord& record : records) total += record.results.size();
    merged.results.reserve(total);
    for (RunRecord& record : records) {
        std::move(record.results.begin(), record.results.end(), std::back_inserter(merged.results));
        std::move(record.created_ids.begin(), record.created_ids.end(),
                  std::back_inserter(merged.created_ids));
        merged.late_launches += record.late_launches;
        merged.lateness_max = std::max(merged.lateness_max, record.lateness_max);
        merged.interrupted = merged.interrupted || record.interrupted;
    }
    std::sort(
        merged.results.begin(), merged.results.end(),
        [](const RequestResult& a, const RequestResult& b) { return a.sequence < b.sequence; });
    return merged;
}

}  // namespace raftlink::bench
