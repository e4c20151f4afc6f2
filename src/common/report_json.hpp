#pragma once

// JSON mapping of the report. Key order follows docs/report-schema.md (ordered_json), so a report
// reads the same in a terminal, a JSONL file and the API.

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/report.hpp"
#include "common/result.hpp"

namespace vigia::common {

using Json = nlohmann::ordered_json;

// Absent optionals are omitted, never written as null.
Json toJson(const Report& report);

// A saved report read back: a `vigia-agent collect` output, or a stored one as
// GET /api/v1/reports/{id} answers it (its "server" receipt is ignored, like any unknown
// member). The fields of docs/report-schema.md with their types, report_id and host.ip in their
// canonical spelling; errors name the field (`processes[3].pid: expected a positive integer`). Not
// the server's gate: limits and times other than collected_at are the validator's (validate.hpp),
// which needs simdjson, a library the agent does not load.
Result<Report> reportFromJson(std::string_view text);

}  // namespace vigia::common
