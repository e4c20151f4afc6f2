#pragma once

// The JSON body of a webhook notification (docs/compliance.md, "Webhooks").

#include <optional>
#include <string>

#include "common/time_util.hpp"
#include "compliance/policy.hpp"

namespace vigia::server {

struct WebhookEvent {
  std::string id;           // uuid, the same on every delivery attempt
  bool stale_kind = false;  // "stale" (a host's staleness) or "verdict" (a rule's)
  common::Timestamp at{};
  std::string host_ip, hostname;
  const compliance::RuleInfo* rule = nullptr;  // verdict events
  std::optional<std::string> from;             // null: the host's first verdict on the rule
  std::string to;
  std::optional<std::string> report_id;
};

std::string renderWebhookEvent(const WebhookEvent& event);

}  // namespace vigia::server
