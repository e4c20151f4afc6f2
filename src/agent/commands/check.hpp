#pragma once

// `vigia-agent check` (docs/compliance.md): judges this machine's report, or a saved one, against
// policy files with the server's engine. No network.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace vigia::agent {

struct CheckOptions {
  std::vector<std::string> policies;  // judged as one policy, in this order
  std::optional<std::string> report;  // a saved report ("-": stdin); else one is collected
  bool json = false;
};

// One line per rule on `out`, or {"items": [...]} with --json; problems on stderr. Returns
// kExitOk, kExitFailing (a rule fails or has an error) or kExitUsage (a bad policy or report).
int runCheck(const CheckOptions& options, std::ostream& out);

}  // namespace vigia::agent
