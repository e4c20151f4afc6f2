#pragma once

// Policy::Compiled: the checks, matchers and waivers of a policy, ready to run. Built by
// policy_parser.cpp, read by evaluate.cpp; nobody else needs its shape.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/report.hpp"
#include "common/time_util.hpp"
#include "compliance/name_set.hpp"
#include "compliance/network_match.hpp"
#include "compliance/policy.hpp"
#include "compliance/process_matcher.hpp"
#include "compliance/session_matcher.hpp"

namespace vigia::compliance {

// applies_to: its keys combine with AND, each key's list with OR.
struct AppliesTo {
  std::optional<NameSet> os_id;
  std::optional<HostPatterns> hostname;  // globs only
  std::optional<HostPatterns> ip;        // CIDRs only
};

struct ProcessCheck {
  bool require = false;  // require_process, else forbid_process
  ProcessMatcher matcher;
};

struct SessionCheck {
  bool require = false;  // require_session, else forbid_session
  SessionMatcher matcher;
};

struct OsAlternative {
  std::optional<std::string> id;    // os.id
  std::optional<std::string> name;  // os.name
  std::optional<std::string> min_version;
  std::optional<std::string> max_version;
};

struct OsCheck {
  std::vector<OsAlternative> alternatives;
};

struct KernelCheck {
  std::optional<std::string> min;
  std::optional<std::string> max;
};

struct CpuCheck {
  std::vector<std::string> arch;
};

struct MaxSessionsCheck {
  std::int64_t max = 0;
};

using Check =
    std::variant<ProcessCheck, SessionCheck, OsCheck, KernelCheck, CpuCheck, MaxSessionsCheck>;

struct CompiledWaiver {
  std::optional<HostPatterns> hosts;     // CIDRs against host.ip
  std::optional<HostPatterns> hostname;  // globs against host.hostname
  WaiverInfo info;
  // The first instant after `expires` (its next midnight, UTC): a report collected before it is
  // waived.
  common::Timestamp ends;
};

struct CompiledRule {
  std::optional<AppliesTo> applies_to;
  Check check;
  std::vector<std::size_t> waivers;  // into Compiled::waivers, in file order
};

struct Policy::Compiled {
  std::vector<CompiledRule> rules;  // parallel to Policy::rules()
  std::vector<CompiledWaiver> waivers;
  bool uses_parent_name = false;   // some rule's process matcher has parent_name
  bool uses_process_name = false;  // some rule's process matcher has name
};

}  // namespace vigia::compliance
