#include "agent/delivery/retry_policy.hpp"

#include <limits>

#include "common/backoff.hpp"

namespace vigia::agent {

AnswerKind classifyAnswer(long status, bool body_says_duplicate) {
  if (status == 201 || (status == 200 && body_says_duplicate)) return AnswerKind::kStored;
  if (status == 401 || status == 403) return AnswerKind::kAuthRefused;
  if (status == 408 || status == 429) return AnswerKind::kRetry;
  if (status >= 400 && status < 500) return AnswerKind::kRejected;
  // No answer, 5xx, and anything a vigia server never sends here (a 200 from a captive portal,
  // a redirect): the report is not known to be stored, so it stays.
  return AnswerKind::kRetry;
}

std::chrono::milliseconds Backoff::next() {
  const int attempt = attempt_;
  if (attempt_ < std::numeric_limits<int>::max()) ++attempt_;
  return common::backoffDelay(base_, cap_, attempt, common::Jitter::kFull, rng_);
}

}  // namespace vigia::agent
