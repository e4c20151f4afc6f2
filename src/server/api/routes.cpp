#include "server/api/routes.hpp"

#include "server/api/compliance.hpp"
#include "server/api/dashboard.hpp"
#include "server/api/ingest.hpp"
#include "server/api/operations.hpp"
#include "server/api/queries.hpp"

namespace vigia::server {

const Router& apiRoutes() {
  // Every non-public row needs what its method would (POST ingest, the rest read): see
  // Router::access. routes_test holds each row to its answer and its access.
  static const Router router({
      {"GET", "/healthz", Access::kPublic, answerNow<health>},
      {"GET", "/metrics", Access::kRead, answerNow<metricsText>},
      {"POST", "/api/v1/reports", Access::kIngest, ingestReport},
      {"GET", "/api/v1/servers", Access::kRead, answerNow<listServers>},
      {"GET", "/api/v1/servers/{ip}/reports", Access::kRead, answerNow<listReports>},
      {"GET", "/api/v1/reports/{report_id}", Access::kRead, answerNow<getReport>},
      {"GET", "/api/v1/processes", Access::kRead, answerNow<searchProcesses>},
      {"GET", "/api/v1/sessions", Access::kRead, answerNow<searchSessions>},
      {"GET", "/api/v1/policy", Access::kRead, answerNow<getPolicy>},
      {"GET", "/api/v1/compliance", Access::kRead, answerNow<complianceOverview>},
      {"GET", "/api/v1/compliance/hosts", Access::kRead, answerNow<complianceHosts>},
      {"GET", "/api/v1/compliance/trend", Access::kRead, answerNow<complianceTrend>},
      {"GET", "/api/v1/servers/{ip}/compliance", Access::kRead, answerNow<hostCompliance>},
      {"GET", "/api/v1/servers/{ip}/compliance/history", Access::kRead,
       answerNow<hostComplianceHistory>},
      // The dashboard: one shell for every view's URL, then its assets. No fleet data in
      // either (docs/api.md), so public; the page reads the API with the read token.
      {"GET", "/", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/hosts", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/hosts/{ip}", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/rules", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/rules/{id}", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/search", Access::kPublic, answerNow<dashboardPage>},
      {"GET", "/assets/{name}", Access::kPublic, answerNow<dashboardAsset>},
  });
  return router;
}

}  // namespace vigia::server
