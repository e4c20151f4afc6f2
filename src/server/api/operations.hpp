#pragma once

// The endpoints for whoever runs the server: GET /healthz (liveness, public) and GET /metrics
// (Prometheus text).

#include "server/api/router.hpp"

namespace vigia::server {

ApiResponse health(const ApiContext& api, const Call& call);
ApiResponse metricsText(const ApiContext& api, const Call& call);

}  // namespace vigia::server
