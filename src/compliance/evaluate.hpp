#pragma once

// Judging one report against a policy (docs/compliance.md, "Verdicts"): a pure function, the
// same on the server (at ingest, in the transaction that stores the report) and in
// `vigia-agent check`.

#include <optional>
#include <string>
#include <vector>

#include "common/report.hpp"
#include "compliance/policy.hpp"

namespace vigia::compliance {

inline constexpr std::size_t kMaxEvidence = 20;

struct Verdict {
  std::size_t rule = 0;  // index into Policy::rules()
  Status status = Status::kPass;
  // Compact JSON array text, at most kMaxEvidence entries, as docs/compliance.md shapes them: "[]"
  // for pass and not_applicable, and for a require_* check that nothing matched.
  std::string evidence;
  // The waiver naming this host and rule, if any: set for `waived`, and for a `fail` whose
  // waiver has expired (so that people see which waiver ran out).
  std::optional<WaiverInfo> waiver;
};

// One verdict per rule, in the policy's rule order. Never fails: a report lacking what a rule
// needs gives that rule `error`. Thread-safe (a Policy is immutable).
std::vector<Verdict> evaluate(const Policy& policy, const common::Report& report);

}  // namespace vigia::compliance
