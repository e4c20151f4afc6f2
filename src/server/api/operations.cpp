#include "server/api/operations.hpp"

#include "server/api/compliance.hpp"

namespace vigia::server {

ApiResponse health(const ApiContext&, const Call&) {
  ApiResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "ok";
  return r;
}

ApiResponse metricsText(const ApiContext& api, const Call&) {
  ApiResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = api.metrics.render(api.store.stats().known_servers, complianceMetrics(api.store));
  return r;
}

}  // namespace vigia::server
