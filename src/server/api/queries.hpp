#pragma once

// The GET API of docs/api.md over the storage's read side: servers, a server's reports, one
// report, and the fleet-wide process and session history. Every list answers JSON, or with
// ?format=csv every matching item as a streamed CSV (csv_answer.hpp).

#include "server/api/router.hpp"

namespace vigia::server {

ApiResponse listServers(const ApiContext& api, const Call& call);
ApiResponse listReports(const ApiContext& api, const Call& call);  // {ip}
ApiResponse getReport(const ApiContext& api, const Call& call);    // {report_id}
ApiResponse searchProcesses(const ApiContext& api, const Call& call);
ApiResponse searchSessions(const ApiContext& api, const Call& call);

}  // namespace vigia::server
