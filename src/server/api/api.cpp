#include "server/api/api.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/identifiers.hpp"
#include "server/api/gzip.hpp"
#include "server/api/query_params.hpp"

namespace vigia::server {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t end = std::min(path.find('/'), path.size());
    parts.push_back(percentDecode(path.substr(0, end), false));
    path.remove_prefix(end);
  }
  return parts;
}

// "application/json", any case, with or without parameters such as "; charset=utf-8".
bool isJsonContentType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (value.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kJson[i]) return false;
  }
  return true;
}

std::string lowerTrimmed(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c != ' ' && c != '\t')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string_view pathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool isIngestRoute(std::string_view method, const std::vector<std::string>& parts) {
  return method == "POST" && parts.size() == 3 && parts[0] == "api" && parts[1] == "v1" &&
         parts[2] == "reports";
}

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

ApiResponse methodNotAllowed(const char* allow) {
  ApiResponse r = errorResponse(405, "method_not_allowed", std::string("allowed: ") + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

Api::Api(ReportStore& store, Metrics& metrics, ApiOptions options)
    : store_(store),
      metrics_(metrics),
      auth_(std::move(options.auth)),
      limiter_(options.rate_limit),
      options_(std::move(options)) {}

std::variant<Admission, ApiResponse> Api::admit(const ApiRequest& head) {
  const std::vector<std::string> parts = splitPath(pathOf(head.target));
  const Access needed = requiredAccess(head.method, parts);
  if (needed == Access::kPublic) return Admission{};
  const bool ingest_route = isIngestRoute(head.method, parts);
  // Rate first: it is cheaper than hashing a token, and it bounds how fast one source can
  // guess tokens.
  if (const auto rate = limiter_.acquire(head.peer_ip); !rate.allowed) {
    metrics_.requestDenied(DenyReason::kRateLimited);
    if (ingest_route) metrics_.reportRejected(RejectReason::kRateLimited);
    const std::string seconds = std::to_string(rate.retry_after.count());
    ApiResponse r = errorResponse(
        429, "rate_limited", "too many requests from this address; retry in " + seconds + " s");
    r.headers.emplace_back("Retry-After", seconds);
    return r;
  }
  const AuthOutcome outcome = auth_.authorize(head.authorization, needed);
  if (outcome == AuthOutcome::kAllowed) return Admission{};
  metrics_.requestDenied(outcome == AuthOutcome::kForbidden ? DenyReason::kForbidden
                                                            : DenyReason::kUnauthorized);
  if (ingest_route) metrics_.reportRejected(RejectReason::kUnauthorized);
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
  const std::string_view target = request.target;
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const std::vector<std::string> parts = splitPath(path);
  const bool get = request.method == "GET";

  if (parts.size() == 1 && parts[0] == "healthz") {
    if (!get) return respond(methodNotAllowed("GET"));
    ApiResponse r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok";
    return respond(std::move(r));
  }
  if (parts.size() == 1 && parts[0] == "metrics") {
    if (!get) return respond(methodNotAllowed("GET"));
    ApiResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.render(store_.stats().known_servers);
    return respond(std::move(r));
  }
  if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "v1") {
    if (parts.size() == 3 && parts[2] == "reports") {
      if (request.method != "POST") return respond(methodNotAllowed("POST"));
      return ingest(std::move(request), std::move(respond));
    }
    if (parts.size() == 3 && parts[2] == "servers") {
      if (!get) return respond(methodNotAllowed("GET"));
      return respond(listServers(query));
    }
    if (parts.size() == 3 && parts[2] == "processes") {
      if (!get) return respond(methodNotAllowed("GET"));
      return respond(searchProcesses(query));
    }
    if (parts.size() == 3 && parts[2] == "sessions") {
      if (!get) return respond(methodNotAllowed("GET"));
      return respond(searchSessions(query));
    }
    if (parts.size() == 5 && parts[2] == "servers" && parts[4] == "reports") {
      if (!get) return respond(methodNotAllowed("GET"));
      return respond(listReports(parts[3], query));
    }
    if (parts.size() == 4 && parts[2] == "reports") {
      if (!get) return respond(methodNotAllowed("GET"));
      return respond(getReport(parts[3], query));
    }
  }
  respond(errorResponse(404, "not_found", "no such endpoint: " + std::string(path.substr(0, 200))));
}

ApiResponse Api::reject(RejectReason reason, unsigned status, const std::string& code,
                        const std::string& detail) {
  metrics_.reportRejected(reason);
  return errorResponse(status, code, detail);
}

void Api::ingest(ApiRequest request, Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  if (!isJsonContentType(request.content_type)) {
    return respond(reject(RejectReason::kUnsupportedMediaType, 415, "unsupported_media_type",
                          "Content-Type must be application/json"));
  }
  const std::string encoding = lowerTrimmed(request.content_encoding);
  if (encoding == "gzip") {
    auto inflated = gunzip(request.body, options_.max_body_bytes);
    if (!inflated) {
      if (inflated.error().code == common::ErrorCode::kTooLarge) {
        return respond(
            reject(RejectReason::kTooLarge, 413, "body_too_large", inflated.error().message));
      }
      return respond(
          reject(RejectReason::kInvalidReport, 400, "invalid_body", inflated.error().message));
    }
    request.body = std::move(*inflated);
  } else if (!encoding.empty() && encoding != "identity") {
    return respond(reject(RejectReason::kUnsupportedMediaType, 415, "unsupported_media_type",
                          "Content-Encoding must be gzip or identity"));
  }
  if (request.body.size() > options_.max_body_bytes) {
    return respond(reject(RejectReason::kTooLarge, 413, "body_too_large",
                          "body exceeds " + std::to_string(options_.max_body_bytes) + " bytes"));
  }

  auto validated = common::parseAndValidate(request.body);
  if (!validated) {
    return respond(
        reject(RejectReason::kInvalidReport, 400, "invalid_report", validated.error().message));
  }
  const std::string id = validated->report.report_id;
  if (options_.discard_reports) {
    metrics_.reportStored();
    return respond(jsonResponse(201, Json{{"id", id}, {"status", "stored"}}.dump()));
  }

  IngestItem item{std::move(*validated), std::move(request.body), common::nowUtc(),
                  std::move(request.peer_ip)};
  store_.submit(
      std::move(item), [this, id, started, respond = std::move(respond)](StoreResult result) {
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
        metrics_.observeIngestLatency(elapsed.count());
        switch (result.outcome) {
          case StoreOutcome::kStored:
            metrics_.reportStored();
            return respond(jsonResponse(201, Json{{"id", id}, {"status", "stored"}}.dump()));
          case StoreOutcome::kDuplicate:
            metrics_.reportDuplicate();
            return respond(jsonResponse(200, Json{{"id", id}, {"status", "duplicate"}}.dump()));
          case StoreOutcome::kUnavailable: {
            metrics_.storageError();
            ApiResponse r =
                reject(RejectReason::kUnavailable, 503, "storage_unavailable", result.detail);
            r.headers.emplace_back("Retry-After", "5");
            return respond(std::move(r));
          }
        }
      });
}

}  // namespace vigia::server
