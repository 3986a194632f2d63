// SPDX-License-Identifier: MIT
#include "apps/bench/node_probe.h"

#include <rapidjson/document.h>

#include <stdexcept>

#include "apps/bench/load_worker.h"

namespace raftlink::bench {
namespace {

std::uint64_t uint_member(const rapidjson::Value& object, const char* key) {
    const auto member = object.FindMember(key);
    if (member == object.MemberEnd() || !member->value.IsUint64()) return 0;
    return member->value.GetUint64();
}

std::string string_member(const rapidjson::Value& object, const char* key) {
    const auto member = object.FindMember(key);
    if (member == object.MemberEnd() || !member->value.IsString()) return {};
    return std::string(member->value.GetString(), member->value.GetStringLength());
}

}  // namespace

ExchangeOutcome probe(const HttpEndpoint& endpoint, const PreparedRequest& request,
                      DurationNs timeout) {
    Endpoints endpoints;
    try {
        endpoints = resolve_endpoint(endpoint);
    } catch (const std::runtime_error& error) {
        ExchangeOutcome outcome;
        outcome.error = error.what();
        return outcome;
    }
    boost::asio::io_context context{1};
    auto connection = std::make_shared<HttpConnection>(context, endpoints, endpoint.authority());
    ExchangeOutcome answer;
    connection->exchange(request, timeout,
                         [&answer](ExchangeOutcome outcome) { answer = std::move(outcome); });
    // The exchange's own deadline bounds this run.
    context.run();
    connection->close();
    return answer;
}

std::optional<NodeStatus> parse_status(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("role")) {
        return std::nullopt;
    }
    NodeStatus status;
    status.id = uint_member(document, "id");
    status.role = string_member(document, "role");
    status.term = uint_member(document, "term");
    status.leader = uint_member(document, "leader");
    status.leader_url = string_member(document, "leaderUrl");
    status.commit_index = uint_member(document, "commitIndex");
    status.applied_index = uint_member(document, "appliedIndex");
    status.last_index = uint_member(document, "lastIndex");
    status.urls = uint_member(document, "urls");
    return status;
}

std::optional<NodeStatus> fetch_status(const HttpEndpoint& endpoint, DurationNs timeout) {
    const ExchangeOutcome outcome = probe(endpoint, {HttpMethod::Get, "/status", {}}, timeout);
    if (outcome.status_code != 200) return std::nullopt;
    return parse_status(outcome.body);
}

std::optional<HttpEndpoint> find_leader(const HttpEndpoint& endpoint, DurationNs timeout) {
    const auto status = fetch_status(endpoint, timeout);
    if (!status) return std::nullopt;
    if (status->role == "leader") return endpoint;
    if (status->leader_url.empty()) return std::nullopt;
    return parse_http_url(status->leader_url);
}

}  // namespace raftlink::bench
