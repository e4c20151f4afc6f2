#pragma once

// What an answer from the server means for a spooled report, and how long to wait before the
// next attempt. Pure functions: the delivery loop applies them, the tests table them.

#include <chrono>
#include <random>

namespace vigia::agent {

enum class AnswerKind {
  kStored,       // 201, or 200 duplicate: the report leaves the spool
  kRetry,        // no answer, 408, 429, 5xx, or something unexpected: keep, try again later
  kRejected,     // other 4xx: the server will never take this report; move it to rejected/
  kAuthRefused,  // 401, 403: keep every report until the token is fixed
};

// `status` 0 means no HTTP answer at all (refused, reset, timed out, TLS failure).
AnswerKind classifyAnswer(long status, bool body_says_duplicate);

// Exponential backoff with full jitter (common/backoff.hpp): a fleet that lost the server at the
// same moment spreads its retries instead of returning in waves. Counts the attempts itself.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed)
      : base_(base), cap_(cap), rng_(seed) {}
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

}  // namespace vigia::agent
