#include "server/notify/webhook_backoff.hpp"

#include <algorithm>

#include "common/backoff.hpp"

namespace vigia::server {

std::chrono::milliseconds webhookRetryDelay(int attempts, std::mt19937_64& rng) {
  return common::backoffDelay(kWebhookFirstRetry, kWebhookMaxRetry, std::max(attempts, 1) - 1,
                              common::Jitter::kEqual, rng);
}

std::chrono::milliseconds webhookRetryDelay(int attempts) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return webhookRetryDelay(attempts, rng);
}

}  // namespace vigia::server
