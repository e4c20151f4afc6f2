#pragma once

// A verdict as the run tables see it: one entry per rule in each report's list, whose run is
// keyed by rule and status (so a run is a stretch of reports with the same status on a rule),
// carrying the evidence and waiver of the run's newest report.

#include <cstdint>
#include <optional>
#include <string>

#include "compliance/policy.hpp"

namespace vigia::server {

struct VerdictEntry {
  std::int64_t rule_id = 0;  // compliance_rules.id
  compliance::Status status = compliance::Status::kPass;
  std::string evidence = "[]";        // JSON array
  std::optional<std::string> waiver;  // JSON object
};

}  // namespace vigia::server
