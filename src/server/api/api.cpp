#include "server/api/api.hpp"

#include <string>
#include <vector>

#include "server/api/routes.hpp"

namespace vigia::server {
namespace {

std::string_view pathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// RFC 6750 §3: no error code when no credentials came; invalid_token / insufficient_scope
// otherwise, so a client can tell a typo from a token of the wrong kind.
ApiResponse authError(AuthOutcome outcome, Access needed) {
  std::string challenge = "Bearer realm=\"vigia\"";
  ApiResponse r;
  switch (outcome) {
    case AuthOutcome::kMissing:
      r = errorResponse(401, "unauthorized", "missing \"Authorization: Bearer <token>\"");
      break;
    case AuthOutcome::kMalformed:
      r = errorResponse(401, "unauthorized",
                        "malformed Authorization header: expected \"Bearer <token>\"");
      challenge += ", error=\"invalid_request\"";
      break;
    case AuthOutcome::kUnknown:
      r = errorResponse(401, "unauthorized", "unknown token");
      challenge += ", error=\"invalid_token\"";
      break;
    case AuthOutcome::kForbidden:
    case AuthOutcome::kAllowed:
      r = errorResponse(403, "forbidden",
                        needed == Access::kIngest
                            ? "a read token may not post reports; use an ingest token"
                            : "an ingest token may only POST /api/v1/reports; use a read token");
      challenge += ", error=\"insufficient_scope\"";
      break;
  }
  r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return r;
}

ApiResponse methodNotAllowed(const std::string& allow) {
  ApiResponse r = errorResponse(405, "method_not_allowed", "allowed: " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

Api::Api(ReportStore& store, Metrics& metrics, ApiOptions options)
    : auth_(std::move(options.auth)),
      limiter_(options.rate_limit),
      options_(std::move(options)),
      context_{store, metrics, options_},
      routes_(apiRoutes()) {}

std::variant<Admission, ApiResponse> Api::admit(const ApiRequest& head) {
  const std::vector<std::string> segments = splitPath(head.target);
  const Access needed = routes_.access(head.method, segments);
  if (needed == Access::kPublic) return Admission{};
  // A refused request to an ingest route is a report refused, for the report counters too.
  const Route* route = routes_.find(head.method, segments);
  const bool ingest_route = route != nullptr && route->access == Access::kIngest;
  Metrics& metrics = context_.metrics;
  // Rate first: it is cheaper than hashing a token, and it bounds how fast one source can
  // guess tokens.
  if (const auto rate = limiter_.acquire(head.peer_ip); !rate.allowed) {
    metrics.requestDenied(DenyReason::kRateLimited);
    if (ingest_route) metrics.reportRejected(RejectReason::kRateLimited);
    const std::string seconds = std::to_string(rate.retry_after.count());
    ApiResponse r = errorResponse(
        429, "rate_limited", "too many requests from this address; retry in " + seconds + " s");
    r.headers.emplace_back("Retry-After", seconds);
    return r;
  }
  const AuthOutcome outcome = auth_.authorize(head.authorization, needed);
  if (outcome == AuthOutcome::kAllowed) return Admission{};
  metrics.requestDenied(outcome == AuthOutcome::kForbidden ? DenyReason::kForbidden
                                                           : DenyReason::kUnauthorized);
  if (ingest_route) metrics.reportRejected(RejectReason::kUnauthorized);
  return authError(outcome, needed);
}

void Api::handle(ApiRequest request, Responder respond) {
  auto admitted = admit(request);
  if (auto* refusal = std::get_if<ApiResponse>(&admitted)) return respond(std::move(*refusal));
  route(std::move(request), std::move(respond));
}

void Api::handle(Admission, ApiRequest request, Responder respond) {
  route(std::move(request), std::move(respond));
}

void Api::route(ApiRequest request, Responder respond) {
  const std::vector<std::string> segments = splitPath(request.target);
  PathParams params;
  if (const Route* route = routes_.find(request.method, segments, &params)) {
    return route->handler(context_,
                          Call{std::move(request), std::move(params), std::move(respond)});
  }
  if (const std::string allow = routes_.allowedMethods(segments); !allow.empty()) {
    return respond(methodNotAllowed(allow));
  }
  const std::string_view path = pathOf(request.target);
  respond(errorResponse(404, "not_found", "no such endpoint: " + std::string(path.substr(0, 200))));
}

}  // namespace vigia::server
