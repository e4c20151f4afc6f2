#include "common/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace vigia::common {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, EachJitterStaysUnderTheDoublingCeilingAndTheCap) {
  std::mt19937_64 rng(1);
  for (int attempt = 0; attempt < 40; ++attempt) {
    const std::int64_t ceiling = std::min<std::int64_t>(8000, 500LL << std::min(attempt, 20));
    for (int i = 0; i < 50; ++i) {
      const auto full =
          backoffDelay(milliseconds(500), milliseconds(8000), attempt, Jitter::kFull, rng);
      EXPECT_GE(full.count(), 0);
      EXPECT_LE(full.count(), ceiling) << attempt;
      const auto equal =
          backoffDelay(milliseconds(500), milliseconds(8000), attempt, Jitter::kEqual, rng);
      EXPECT_GE(equal.count(), ceiling / 2) << attempt;
      EXPECT_LE(equal.count(), ceiling) << attempt;
    }
  }
}

TEST(Backoff, AnyAttemptCountIsSafe) {
  std::mt19937_64 rng(2);
  for (int attempt : {-5, 0, 21, 64, 1'000'000, std::numeric_limits<int>::max()}) {
    const auto d =
        backoffDelay(milliseconds(1000), milliseconds(300'000), attempt, Jitter::kEqual, rng);
    EXPECT_GE(d.count(), attempt <= 0 ? 500 : 150'000) << attempt;
    EXPECT_LE(d.count(), attempt <= 0 ? 1000 : 300'000) << attempt;
  }
}

TEST(Backoff, DrawsAreSpreadAndRepeatableFromASeed) {
  std::mt19937_64 a(7), b(7);
  std::int64_t lo = 1 << 30, hi = 0;
  for (int i = 0; i < 200; ++i) {
    const auto d = backoffDelay(milliseconds(500), milliseconds(8000), 10, Jitter::kFull, a);
    EXPECT_EQ(d, backoffDelay(milliseconds(500), milliseconds(8000), 10, Jitter::kFull, b));
    lo = std::min(lo, d.count());
    hi = std::max(hi, d.count());
  }
  EXPECT_LT(lo, 2000);
  EXPECT_GT(hi, 6000);
}

}  // namespace
}  // namespace vigia::common
