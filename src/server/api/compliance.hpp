#pragma once

// The compliance endpoints of docs/api.md, "Compliance": the policy in force, the fleet at a
// glance, hosts by status, a host's verdicts and their history, the daily trend; and the compliance
// gauges of /metrics. Lists answer JSON or, with ?format=csv, every matching item as CSV.

#include <string>

#include "server/api/router.hpp"

namespace vigia::server {

ApiResponse getPolicy(const ApiContext& api, const Call& call);
ApiResponse complianceOverview(const ApiContext& api, const Call& call);
ApiResponse complianceHosts(const ApiContext& api, const Call& call);
ApiResponse hostCompliance(const ApiContext& api, const Call& call);         // {ip}
ApiResponse hostComplianceHistory(const ApiContext& api, const Call& call);  // {ip}
ApiResponse complianceTrend(const ApiContext& api, const Call& call);

// vigia_compliance_hosts{status} and vigia_compliance_rule_hosts{rule,severity,status}, in
// Prometheus text; empty if the store cannot answer.
std::string complianceMetrics(ReportStore& store);

}  // namespace vigia::server
