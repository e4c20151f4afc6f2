#pragma once

// Exponential backoff with jitter, for every sender that retries: the agent's delivery loop and
// the server's webhooks. Pure: the caller keeps the attempt count and the random generator.

#include <chrono>
#include <random>

namespace vigia::common {

enum class Jitter {
  // A uniform draw in [0, ceiling]: a fleet that lost its server at the same moment spreads
  // its retries instead of returning in waves.
  kFull,
  // A uniform draw in [ceiling / 2, ceiling]: still spread, but never an immediate retry, for a
  // single sender whose receiver is down.
  kEqual,
};

// The delay before retry number `attempt` (0 for the first): a draw under the ceiling
// min(cap, base · 2^attempt). Any attempt count is safe; the ceiling stops growing at the cap.
std::chrono::milliseconds backoffDelay(std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, int attempt, Jitter jitter,
                                       std::mt19937_64& rng);

}  // namespace vigia::common
