// Fuzzes the server's first contact with untrusted input: JSON parsing plus report validation.
// Beyond "no crash", it checks a property: whatever validates must serialize back to JSON that
// validates again to the same typed report (the agent and server agree on one format).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/report_json.hpp"
#include "common/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = vigia::common::parseAndValidate(input);
  if (!first) return 0;
  const std::string again = vigia::common::toJson(first->report)
                                .dump(-1, ' ', false, vigia::common::Json::error_handler_t::strict);
  auto second = vigia::common::parseAndValidate(again);
  if (!second) std::abort();
  if (second->report.report_id != first->report.report_id ||
      second->report.host.ip != first->report.host.ip ||
      second->report.collected_at != first->report.collected_at ||
      second->report.processes.size() != first->report.processes.size() ||
      second->report.sessions.size() != first->report.sessions.size()) {
    std::abort();
  }
  return 0;
}
