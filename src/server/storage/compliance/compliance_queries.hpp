#pragma once

// The read side of compliance (docs/api.md, "Compliance"): what the backend answers from the
// verdict runs. Rule titles and severities come from compliance_rules, so that an answer
// given while a new policy is being applied still names every rule it holds.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time_util.hpp"
#include "compliance/policy.hpp"

namespace vigia::server {

struct ListCursor;

struct StatusCounts {
  std::int64_t pass = 0, fail = 0, waived = 0, not_applicable = 0, error = 0;
  void add(compliance::Status s, std::int64_t n) {
    switch (s) {
      case compliance::Status::kPass:
        pass += n;
        break;
      case compliance::Status::kFail:
        fail += n;
        break;
      case compliance::Status::kWaived:
        waived += n;
        break;
      case compliance::Status::kNotApplicable:
        not_applicable += n;
        break;
      case compliance::Status::kError:
        error += n;
        break;
    }
  }
};

struct ComplianceSummary {
  std::int64_t total = 0, compliant = 0, failing = 0, stale = 0;
  std::map<std::string, StatusCounts> rules;  // by rule id, over the hosts that are not stale
};

struct HostComplianceQuery {
  std::int64_t stale_cutoff_us = 0;              // a host whose newest report is older is stale
  std::optional<std::string> status;             // "compliant", "failing" or "stale"
  std::optional<std::string> rule;               // failing that rule
  std::optional<compliance::Severity> severity;  // failing a rule of at least that severity
  int limit = 100;
  std::optional<std::int64_t> after_host_id;  // the page after this host (hosts in id order)
};

struct FailingRule {
  std::string rule;
  compliance::Severity severity = compliance::Severity::kInfo;
};

struct HostComplianceItem {
  std::int64_t host_id = 0;
  std::string ip, hostname, last_report_at;
  std::string status;                // compliant, failing, stale
  std::vector<FailingRule> failing;  // rules its newest report fails or has an error on
};

struct VerdictItem {
  std::string rule, title;
  compliance::Severity severity = compliance::Severity::kInfo;
  compliance::Status status = compliance::Status::kPass;
  std::string since;                  // first_seen_at of the run
  std::string evidence;               // JSON array text
  std::optional<std::string> waiver;  // JSON object text
  std::string report_id;              // the host's newest report
};

struct VerdictRunQuery {
  std::optional<std::string> rule;
  std::optional<common::Timestamp> since, until;
  int limit = 100;
  std::optional<std::int64_t> after_key, after_id;  // first_seen_us and run id of the last given
};

struct VerdictRunItem {
  std::int64_t run_id = 0;
  std::int64_t first_seen_us = 0;
  std::string rule;
  compliance::Status status = compliance::Status::kPass;
  std::string first_seen_at, last_seen_at;  // last: of the host's newest report when open
  std::string evidence;
};

struct TrendDay {
  std::string date;  // YYYY-MM-DD
  std::int64_t compliant = 0, failing = 0, stale = 0;
};

}  // namespace vigia::server
