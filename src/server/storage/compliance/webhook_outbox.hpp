#pragma once

// The webhook outbox as the deliverer sees it (docs/compliance.md, "Webhooks"): events queued by
// the writer in the transactions that changed a verdict, read and removed here on a connection
// of the deliverer's own. An event is removed only after its receiver answered 2xx, so a
// crash or a restart delivers it again with the same id (at least once).

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace vigia::server {

struct OutboxEvent {
  std::int64_t id = 0;  // delivery order
  std::string event_id;
  std::string body;
};

class WebhookOutbox {
 public:
  virtual ~WebhookOutbox() = default;
  // The oldest events queued for `webhook` (its URL), after `after_id`.
  virtual common::Result<std::vector<OutboxEvent>> pending(const std::string& webhook,
                                                           std::int64_t after_id, int max) = 0;
  virtual common::Status remove(std::int64_t id) = 0;
  // Events queued for URLs no longer configured are dropped (returns how many).
  virtual common::Result<std::int64_t> dropAllBut(const std::vector<std::string>& webhooks) = 0;
};

}  // namespace vigia::server
