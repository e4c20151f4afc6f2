#pragma once

// JSON mapping of the report. Key order follows SPEC §1 (ordered_json), so a report reads the
// same in a terminal, a JSONL file and the API.

#include <nlohmann/json.hpp>

#include "common/report.hpp"

namespace vigia::common {

using Json = nlohmann::ordered_json;

// Absent optionals are omitted, never written as null.
Json toJson(const Report& report);

}  // namespace vigia::common
