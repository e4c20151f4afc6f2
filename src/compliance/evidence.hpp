#pragma once

// The evidence of a verdict (docs/compliance.md, "Statuses"): a JSON array of at most kMaxEvidence
// entries, rendered compact for storage and the API.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/report.hpp"

namespace vigia::compliance {

class Evidence {
 public:
  // False once the list is full: a caller looking for more entries can stop.
  bool addProcess(const common::Process& p);
  bool addSession(const common::Session& s);
  // {"field": "os.version_id", "value": "11"}; value null when absent.
  void addField(std::string_view field, const std::optional<std::string>& value);
  bool full() const;
  bool empty() const { return entries_.empty(); }
  std::string render() const;  // "[]" when empty

 private:
  nlohmann::ordered_json entries_ = nlohmann::ordered_json::array();
};

}  // namespace vigia::compliance
