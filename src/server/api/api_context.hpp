#pragma once

// What every handler works with: the store, the counters and the API's options. The Api owns
// them (or their references) and hands the same context to whichever handler a route names.

#include <cstddef>

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
  bool csv_formula_guard = true;  // for ?format=csv answers too (docs/api.md)
};

struct ApiContext {
  ReportStore& store;
  Metrics& metrics;
  const ApiOptions& options;  // its token digests are moved out into the Authenticator
};

}  // namespace vigia::server
