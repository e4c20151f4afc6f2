#include "common/backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace vigia::common {

std::chrono::milliseconds backoffDelay(std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, int attempt, Jitter jitter,
                                       std::mt19937_64& rng) {
  // 2^20 times any base worth waiting is past any cap, and far from overflowing.
  const int shift = std::clamp(attempt, 0, 20);
  const auto ceiling = std::min(cap, base * (std::int64_t{1} << shift));
  const std::int64_t floor = jitter == Jitter::kEqual ? ceiling.count() / 2 : 0;
  std::uniform_int_distribution<std::int64_t> draw(floor, ceiling.count());
  return std::chrono::milliseconds(draw(rng));
}

}  // namespace vigia::common
