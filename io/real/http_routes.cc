// SPDX-License-Identifier: MIT
#include "io/real/http_routes.h"

#include <boost/beast/http/field.hpp>

#include <utility>

#include "core/fsm/short_code.h"
#include "io/real/http_json.h"

namespace raftlink::real {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view not_leader_message = "Not a leader node";
constexpr std::string_view no_leader_message = "No leader known; retry shortly";
constexpr std::string_view not_found_message = "Not found";

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string_view query_of(std::string_view target) {
    const std::size_t mark = target.find('?');
    return mark == std::string_view::npos ? std::string_view{} : target.substr(mark + 1);
}

/// The value of `key` in an application/x-www-form-urlencoded query (not percent-decoded:
/// the values we read are plain words), or nullopt when absent.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t equals = pair.find('=');
        if (pair.substr(0, equals) == key) {
            return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

/// The first path segment, which the seed took as the short id ("/abc/x" -> "abc").
std::string_view first_segment(std::string_view path) {
    path.remove_prefix(1);  // classify_route guarantees the leading '/'
    return path.substr(0, path.find('/'));
}

bool is_well_formed_code(std::string_view code) {
    if (code.size() != fsm::short_code_length) return false;
    for (const char c : code) {
        const bool alphanumeric =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alphanumeric) return false;
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (x != b[i]) return false;
    }
    return true;
}

/// Whether Content-Type names application/json (parameters such as charset ignored).
bool is_json(std::string_view content_type) {
    std::string_view media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
    while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) {
        media.remove_prefix(1);
    }
    return equals_ignoring_case(media, "application/json");
}

/// A text body without its trailing newline (`echo url | curl --data-binary @-` adds one).
std::string trim_newline(std::string body) {
    if (!body.empty() && body.back() == '\n') body.pop_back();
    if (!body.empty() && body.back() == '\r') body.pop_back();
    return body;
}

const std::string* leader_url(const HttpBackend& backend, NodeId leader) {
    if (leader == no_node) return nullptr;
    const auto found = backend.http_urls.find(leader);
    return found == backend.http_urls.end() ? nullptr : &found->second;
}

HttpResponse not_leader_response(const HttpBackend& backend, NodeId leader) {
    if (leader == no_node) {
        HttpResponse response = error_response(http::status::service_unavailable,
                                               no_leader_message);
        response.set(http::field::retry_after, "1");
        return response;
    }
    return json_response(http::status::conflict,
                         json_not_leader(not_leader_message, leader, leader_url(backend, leader)));
}

HttpResponse shorten_response(const service::ShortenResponse& answer, const HttpBackend& backend,
                              const std::string& host) {
    using service::ShortenStatus;
    switch (answer.status) {
        case ShortenStatus::Created: {
            const std::string short_url = "http://" + host + "/" + answer.record.code;
            HttpResponse response =
                json_response(http::status::created, json_created(short_url, answer.record.url));
            response.set(http::field::location, short_url);
            return response;
        }
        case ShortenStatus::NotLeader:
            return not_leader_response(backend, answer.leader_id);
        case ShortenStatus::NoLeader: {
            HttpResponse response = error_response(
                http::status::service_unavailable,
                answer.message.empty() ? no_leader_message : std::string_view(answer.message));
            response.set(http::field::retry_after, "1");
            return response;
        }
        case ShortenStatus::Timeout:
            return error_response(http::status::request_timeout,
                                  answer.message.empty() ? "the create was not committed in time"
                                                         : answer.message);
        case ShortenStatus::Invalid:
            return error_response(http::status::bad_request, answer.message);
    }
    return error_response(http::status::internal_server_error, "unknown create outcome");
}

HttpResponse resolve_response(const service::ResolveResponse& answer,
                              const HttpBackend& backend) {
    using service::ResolveStatus;
    switch (answer.status) {
        case ResolveStatus::Found: {
            HttpResponse response{http::status::found, 11};
            response.set(http::field::location, answer.url);
            return response;
        }
        case ResolveStatus::NotFound:
        case ResolveStatus::Invalid:
            return error_response(http::status::not_found, not_found_message);
        case ResolveStatus::NotLeader:
        case ResolveStatus::NoLeader:
            return not_leader_response(backend, answer.leader_id);
        case ResolveStatus::Timeout:
            return error_response(http::status::request_timeout,
                                  "leadership was not confirmed in time for a linearizable read");
    }
    return error_response(http::status::internal_server_error, "unknown read outcome");
}

/// The fields a create reads, found in one pass over the request's fields (each lookup by
/// name is a search of Beast's field set; this runs for every create). The first of repeated
/// fields wins, as with request[name].
struct CreateFields {
    std::string_view host;
    std::string_view content_type;
    std::string_view idempotency_key;
};

CreateFields create_fields(const HttpRequest& request) {
    CreateFields fields;
    bool host = false, content_type = false, key = false;
    for (const auto& field : request) {
        if (field.name() == http::field::host) {
            if (!std::exchange(host, true)) fields.host = to_std(field.value());
        } else if (field.name() == http::field::content_type) {
            if (!std::exchange(content_type, true)) fields.content_type = to_std(field.value());
        } else if (field.name() == http::field::unknown &&
                   boost::beast::iequals(field.name_string(), "Idempotency-Key")) {
            if (!std::exchange(key, true)) fields.idempotency_key = to_std(field.value());
        }
    }
    return fields;
}

void handle_create(HttpRequest request, const HttpBackend& backend, const std::string& host,
                   Respond respond) {
    const CreateFields fields = create_fields(request);
    service::ShortenRequest create;
    std::optional<std::string> body_key;
    if (is_json(fields.content_type)) {
        Result<CreateBody> parsed = parse_create_body(request.body());
        if (!parsed.ok()) {
            respond(error_response(http::status::bad_request, parsed.error().message));
            return;
        }
        create.url = std::move(parsed.value().url);
        body_key = std::move(parsed.value().idempotency_key);
    } else {
        create.url = trim_newline(std::move(request.body()));
    }
    const std::string_view header_key = fields.idempotency_key;
    if (body_key && !header_key.empty() && *body_key != header_key) {
        respond(error_response(http::status::bad_request,
                               "the Idempotency-Key header and \"idempotencyKey\" differ"));
        return;
    }
    create.idempotency_key = body_key ? std::move(*body_key) : std::string(header_key);
    // The callback may run now (refusals) or after the commit; the captures own all it needs.
    const std::string short_host = fields.host.empty() ? host : std::string(fields.host);
    service::ShortenDone done = [&backend, host = short_host, respond = std::move(respond)](
                                    const service::ShortenResponse& answer) {
        respond(shorten_response(answer, backend, host));
    };
    if (backend.creates != nullptr) {
        backend.creates->add(std::move(create), std::move(done));
    } else {
        backend.replica.shorten(std::move(create), std::move(done));
    }
}

void handle_resolve(const HttpRequest& request, const HttpBackend& backend, Respond respond) {
    const std::string_view target = to_std(request.target());
    const std::string_view code = first_segment(path_of(target));
    const std::optional<std::string_view> consistency =
        query_value(query_of(target), "consistency");
    if (consistency && *consistency != "stale" && *consistency != "linearizable") {
        respond(error_response(http::status::bad_request,
                               "consistency must be \"stale\" or \"linearizable\""));
        return;
    }
    if (!consistency || *consistency == "stale") {
        respond(resolve_response(backend.replica.resolve(code), backend));
        return;
    }
    if (!is_well_formed_code(code)) {
        // No id of that shape exists, so there is nothing to confirm with a ReadIndex.
        respond(error_response(http::status::not_found, not_found_message));
        return;
    }
    backend.replica.resolve(std::string(code), service::ReadConsistency::Linearizable,
                            [&backend, respond = std::move(respond)](
                                const service::ResolveResponse& answer) {
                                respond(resolve_response(answer, backend));
                            });
}

Metrics::RaftGauges gauges_of(const ReplicaStatus& status) {
    Metrics::RaftGauges gauges;
    gauges.term = status.term.value;
    gauges.role = static_cast<int>(status.role);
    gauges.commit_index = status.commit_index.value;
    gauges.applied_index = status.applied_index.value;
    gauges.last_index = status.last_index.value;
    gauges.elections_started = status.counters.elections_started;
    gauges.elections_won = status.counters.elections_won;
    gauges.urls = status.urls;
    return gauges;
}

}  // namespace

const char* route_metric_name(Route route) {
    switch (route) {
        case Route::Create: return "create";
        case Route::Resolve: return "resolve";
        case Route::Healthz: return "healthz";
        case Route::Status: return "status";
        case Route::Metrics: return "metrics";
        case Route::Index:
        case Route::NotAllowed:
        case Route::BadTarget: return "other";
    }
    return "other";
}

Route classify_route(http::verb method, std::string_view target) {
    if (target.empty() || target.front() != '/') return Route::BadTarget;
    const std::string_view path = path_of(target);
    if (method == http::verb::post) return path == "/" ? Route::Create : Route::NotAllowed;
    if (method != http::verb::get && method != http::verb::head) return Route::NotAllowed;
    if (path == "/") return Route::Index;
    if (path == "/healthz") return Route::Healthz;
    if (path == "/status") return Route::Status;
    if (path == "/metrics") return Route::Metrics;
    return Route::Resolve;
}

const char* allowed_methods(std::string_view target) {
    return path_of(target) == "/" ? "GET, HEAD, POST" : "GET, HEAD";
}

HttpResponse json_response(http::status status, std::string body) {
    HttpResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    return response;
}

HttpResponse error_response(http::status status, std::string_view message) {
    return json_response(status, json_message(message));
}

void handle_route(Route route, HttpRequest request, const HttpBackend& backend,
                  const std::string& host, Respond respond) {
    switch (route) {
        case Route::Create:
            handle_create(std::move(request), backend, host, std::move(respond));
            return;
        case Route::Resolve:
            handle_resolve(request, backend, std::move(respond));
            return;
        case Route::Index:
            respond(json_response(http::status::ok, json_index()));
            return;
        case Route::Healthz:
            respond(json_response(http::status::ok, R"({"status":"ok"})"));
            return;
        case Route::Status: {
            const ReplicaStatus status = backend.replica.status();
            respond(json_response(http::status::ok,
                                  json_status(status, leader_url(backend, status.leader))));
            return;
        }
        case Route::Metrics: {
            backend.metrics.set_raft(gauges_of(backend.replica.status()));
            HttpResponse response{http::status::ok, 11};
            response.set(http::field::content_type, "text/plain; version=0.0.4");
            response.body() = backend.metrics.render();
            respond(std::move(response));
            return;
        }
        case Route::NotAllowed: {
            HttpResponse response =
                error_response(http::status::method_not_allowed, "method not allowed");
            response.set(http::field::allow, allowed_methods(to_std(request.target())));
            respond(std::move(response));
            return;
        }
        case Route::BadTarget:
            respond(error_response(http::status::bad_request,
                                   "the request target must be a path starting with /"));
            return;
    }
}

}  // namespace raftlink::real
