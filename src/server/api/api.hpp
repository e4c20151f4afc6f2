#pragma once

// Request → response, for every endpoint of docs/api.md: the gate (rate limit, token), then the
// route table (routes.cpp) names the handler. No sockets here: the HTTP layer turns bytes into
// ApiRequest and ApiResponse back into bytes.

#include <variant>

#include "server/api/api_context.hpp"
#include "server/api/api_types.hpp"
#include "server/api/auth.hpp"
#include "server/api/rate_limiter.hpp"
#include "server/api/router.hpp"

namespace vigia::server {

// Proof that a request passed Api::admit; only the Api makes one.
class Admission {
 private:
  friend class Api;
  Admission() = default;
};

class Api {
 public:
  Api(ReportStore& store, Metrics& metrics, ApiOptions options);

  // The gate in front of every route: the per-source rate limit, then the bearer token of the
  // access the route table asks for (public routes such as /healthz are exempt from both). Only the
  // head of the request is looked at (method, target, Authorization, peer), so the HTTP layer calls
  // it as soon as a header is read and never reads a body it is going to refuse. Unknown paths are
  // answered 404 only after this gate.
  std::variant<Admission, ApiResponse> admit(const ApiRequest& head);

  // Answers through `respond` exactly once, either before returning or later from the storage
  // writer thread (POST /api/v1/reports). The first form admits, then routes.
  void handle(ApiRequest request, Responder respond);
  void handle(Admission admitted, ApiRequest request, Responder respond);

  const ApiOptions& options() const { return options_; }

 private:
  void route(ApiRequest request, Responder respond);

  Authenticator auth_;  // before options_: built from what options_ is moved from
  RateLimiter limiter_;
  ApiOptions options_;        // its token digests live in auth_ alone
  const ApiContext context_;  // what the handlers see
  const Router& routes_;
};

}  // namespace vigia::server
