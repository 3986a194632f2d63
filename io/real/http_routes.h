// SPDX-License-Identifier: MIT
// The routes of the HTTP API: which handler a request goes to, and what each one answers.
//
// Routing is explicit and ordered: the reserved paths (/healthz, /status, /metrics) and "/"
// are matched first and exactly, so a short id can never shadow them; every other GET path
// is a short id (its first segment, as in the seed). POST is accepted on "/" only. HEAD is
// GET without a body. Other methods get 405 with the path's Allow list.
//
// Handlers know nothing of connections: they call the Replica and hand exactly one response
// to `respond`, either before they return or later (when a create commits or a ReadIndex is
// confirmed). They never assert on request content.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "io/real/http_server.h"

namespace raftlink::real {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using Respond = std::function<void(HttpResponse)>;

/// Beast 1.74's string_view is boost::string_view, which does not convert to the standard one.
inline std::string_view to_std(boost::beast::string_view text) {
    return {text.data(), text.size()};
}

enum class Route { Create, Resolve, Index, Healthz, Status, Metrics, NotAllowed, BadTarget };

/// The route's label in raftlink_http_requests_total: "create", "resolve", "healthz",
/// "status", "metrics", or "other" (index, 405, bad target, errors before routing).
const char* route_metric_name(Route route);

/// Which route serves `method` on `target` (origin-form "/path?query").
Route classify_route(boost::beast::http::verb method, std::string_view target);

/// The Allow header's value for the path of `target`.
const char* allowed_methods(std::string_view target);

/// A response with a JSON body and Content-Type: application/json. Version and keep-alive
/// are the session's business.
HttpResponse json_response(boost::beast::http::status status, std::string body);
/// A JSON error {"message": message}.
HttpResponse error_response(boost::beast::http::status status, std::string_view message);

/// Serves `request` on `route`; calls `respond` exactly once. `host` names this server when
/// the request has no Host header. `backend` must outlive every pending `respond`.
void handle_route(Route route, HttpRequest request, const HttpBackend& backend,
                  const std::string& host, Respond respond);

}  // namespace raftlink::real
