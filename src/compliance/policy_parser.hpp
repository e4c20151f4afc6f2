#pragma once

// TOML policy files (docs/compliance.md) to rules and their compiled checks. Policy::parse wraps it
// with the digest; nothing else calls it.

#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "compliance/compiled_policy.hpp"
#include "compliance/policy.hpp"

namespace vigia::compliance {

struct ParsedPolicy {
  std::string name;
  std::string version;
  std::vector<RuleInfo> rules;
  std::shared_ptr<Policy::Compiled> compiled;
};

// The first problem found, with its file and line; a policy is taken whole or not at all.
std::variant<ParsedPolicy, PolicyError> parsePolicySources(std::span<const PolicySource> sources);

// [a-z0-9][a-z0-9._-]{0,63}
bool isValidRuleId(std::string_view id);

}  // namespace vigia::compliance
