#pragma once

// The rules of SPEC §1. The server runs every body through parseAndValidate(); the agent's tests
// run its own output through it too, so both sides agree on one definition of "valid".
//
// Errors name the offending field: `processes[3].pid: expected a positive integer`.

#include <string_view>

#include "common/report.hpp"
#include "common/report_json.hpp"
#include "common/result.hpp"
#include "common/time_util.hpp"

namespace vigia::common {

struct ValidatedReport {
  Json document;  // the report as received: every field, unknown ones too
  Report report;  // typed view; report_id lower-case, host.ip and times canonical
  Timestamp collected_at;
};

// Strict JSON: UTF-8 only, nesting at most kMaxJsonDepth, no duplicate keys in an object.
Result<Json> parseJson(std::string_view text);

// Checks types, required fields and limits, and builds the typed view.
Result<Report> validateReport(const Json& document);

Result<ValidatedReport> parseAndValidate(std::string_view text);

}  // namespace vigia::common
