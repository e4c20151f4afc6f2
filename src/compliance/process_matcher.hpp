#pragma once

// A process matcher of docs/compliance.md: every key present must hold (AND). Compiled when the
// policy loads; matches() tries the cheap keys (integers, hashed names, a substring) before any
// regular expression, so most processes are turned away without running one.

#include <cstdint>
#include <optional>
#include <string>

#include "compliance/name_set.hpp"
#include "compliance/regex.hpp"
#include "compliance/report_index.hpp"

namespace vigia::compliance {

struct ProcessMatcher {
  std::optional<NameSet> name;
  std::optional<Regex> name_regex;
  std::optional<NameSet> user;
  std::optional<NameSet> user_not;
  std::optional<std::int64_t> uid;
  std::optional<Regex> command_regex;
  std::optional<std::string> command_contains;
  // The name of the process in the same report whose pid is this one's ppid: a process whose
  // parent is not listed never matches.
  std::optional<NameSet> parent_name;

  // `process` indexes index.report().processes; parent_name needs an index built with parents.
  bool matches(std::size_t process, const ReportIndex& index) const;
};

}  // namespace vigia::compliance
