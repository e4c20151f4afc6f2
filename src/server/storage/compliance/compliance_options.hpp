#pragma once

// What the storage needs to know to judge reports (docs/compliance.md): the policy, when a host is
// stale, and who is told of changes.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compliance/policy.hpp"

namespace vigia::server {

struct WebhookConfig {
  std::string url;
  compliance::Severity min_severity = compliance::Severity::kInfo;
  std::optional<std::string> token;  // read from token_file when the configuration loads
  std::string token_file;            // as configured; empty: no Authorization header
};

struct ComplianceOptions {
  std::shared_ptr<const compliance::Policy> policy;  // null: no rules
  std::chrono::seconds stale_after{900};
  std::vector<WebhookConfig> webhooks;
};

}  // namespace vigia::server
