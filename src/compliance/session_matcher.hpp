#pragma once

// A session matcher of docs/compliance.md: every key present must hold (AND).

#include <optional>

#include "common/report.hpp"
#include "compliance/name_set.hpp"
#include "compliance/network_match.hpp"
#include "compliance/regex.hpp"

namespace vigia::compliance {

struct SessionMatcher {
  std::optional<NameSet> user;
  std::optional<NameSet> user_not;
  std::optional<Regex> tty_regex;
  std::optional<bool> remote;  // true: remote_host is present and not empty
  // A remote session whose remote_host none of these name. It speaks of remote sessions only:
  // a local session never matches it.
  std::optional<HostPatterns> remote_host_not_in;

  bool matches(const common::Session& session) const;
};

}  // namespace vigia::compliance
