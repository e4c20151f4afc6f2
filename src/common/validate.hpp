#pragma once

// The rules of docs/report-schema.md. The server runs every body through parseAndValidate(); the
// agent's tests run its own output through it too, so both sides agree on one definition of
// "valid".
//
// Errors name the offending field: `processes[3].pid: expected a positive integer`.
//
// Parsing uses simdjson (a server's hot path: a 90 KB report parses in well under a
// millisecond); the agent's serialization uses nlohmann/json (report_json.hpp).

#include <string_view>

#include "common/report.hpp"
#include "common/result.hpp"
#include "common/time_util.hpp"

namespace vigia::common {

struct ValidatedReport {
  Report report;  // report_id lower-case, host.ip and times canonical
  Timestamp collected_at;
};

struct ValidateOptions {
  // A report stored by the server carries its receipt under "server"; reports from agents may
  // not (the member is reserved), but the server re-reads its own stored documents.
  bool allow_server_receipt = false;
};

// Strict JSON (UTF-8 only, nesting at most kMaxJsonDepth, no duplicate keys in an object, every
// string and key at most kMaxStringBytes), then every schema rule, then the typed view.
Result<ValidatedReport> parseAndValidate(std::string_view text, ValidateOptions options = {});

}  // namespace vigia::common
