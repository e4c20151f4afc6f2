#pragma once

// Request → response, for every endpoint of SPEC §3. No sockets here: the HTTP layer turns
// bytes into ApiRequest and ApiResponse back into bytes.

#include <chrono>
#include <cstddef>
#include <variant>

#include "server/api/api_types.hpp"
#include "server/api/auth.hpp"
#include "server/api/metrics.hpp"
#include "server/api/rate_limiter.hpp"
#include "server/storage/report_store.hpp"

namespace vigia::server {

struct ApiOptions {
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // after decompression too
  // Benchmark only: validate and answer 201 without storing (the HTTP+parse+validate ceiling).
  bool discard_reports = false;
  AuthConfig auth;  // no token: no authentication (main then serves loopback only)
  RateLimitOptions rate_limit;
  bool csv_formula_guard = true;  // for ?format=csv answers too (SPEC §3)
};

// Proof that a request passed Api::admit; only the Api makes one.
class Admission {
 private:
  friend class Api;
  Admission() = default;
};

class Api {
 public:
  Api(ReportStore& store, Metrics& metrics, ApiOptions options);

  // The gate in front of every route: the per-source rate limit, then the bearer token
  // (/healthz is exempt from both). Only the head of the request is looked at (method, target,
  // Authorization, peer), so the HTTP layer calls it as soon as a header is read and never
  // reads a body it is going to refuse. Unknown paths are answered 404 only after this gate.
  std::variant<Admission, ApiResponse> admit(const ApiRequest& head);

  // Answers through `respond` exactly once, either before returning or later from the storage
  // writer thread (POST /api/v1/reports). The first form admits, then routes.
  void handle(ApiRequest request, Responder respond);
  void handle(Admission admitted, ApiRequest request, Responder respond);

  const ApiOptions& options() const { return options_; }

 private:
  void route(ApiRequest request, Responder respond);
  void ingest(ApiRequest request, Responder respond);
  // queries.cpp
  ApiResponse listServers(std::string_view query);
  ApiResponse listReports(const std::string& ip, std::string_view query);
  ApiResponse getReport(const std::string& id, std::string_view query);
  ApiResponse searchProcesses(std::string_view query);
  ApiResponse searchSessions(std::string_view query);
  ApiResponse reject(RejectReason reason, unsigned status, const std::string& code,
                     const std::string& detail);

  ReportStore& store_;
  Metrics& metrics_;
  Authenticator auth_;  // before options_: built from what options_ is moved from
  RateLimiter limiter_;
  ApiOptions options_;  // its token digests live in auth_ alone
};

}  // namespace vigia::server
