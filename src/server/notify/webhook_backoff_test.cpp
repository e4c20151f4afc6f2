#include "server/notify/webhook_backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vigia::server {
namespace {

using std::chrono::milliseconds;

TEST(WebhookRetryDelay, FromOneSecondDoublingToFiveMinutesWithEqualJitter) {
  std::mt19937_64 rng(11);
  // attempts → the ceiling of its delay
  const std::pair<int, std::int64_t> table[] = {
      {-1, 1'000},   {0, 1'000},    {1, 1'000},           {2, 2'000},   {3, 4'000},
      {4, 8'000},    {5, 16'000},   {8, 128'000},         {9, 256'000}, {10, 300'000},
      {11, 300'000}, {64, 300'000}, {1'000'000, 300'000},
  };
  for (const auto& [attempts, ceiling] : table) {
    for (int i = 0; i < 100; ++i) {
      const auto d = webhookRetryDelay(attempts, rng);
      EXPECT_GE(d.count(), ceiling / 2) << attempts;
      EXPECT_LE(d.count(), ceiling) << attempts;
    }
  }
}

TEST(WebhookRetryDelay, DrawsSpreadAndTheThreadsOwnGeneratorStaysInBounds) {
  std::mt19937_64 rng(3);
  std::int64_t lo = 1 << 30, hi = 0;
  for (int i = 0; i < 200; ++i) {
    const auto d = webhookRetryDelay(20, rng).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 180'000);
  EXPECT_GT(hi, 270'000);
  for (int i = 0; i < 100; ++i) {
    const auto d = webhookRetryDelay(1);
    EXPECT_GE(d, milliseconds(500));
    EXPECT_LE(d, milliseconds(1'000));
  }
}

}  // namespace
}  // namespace vigia::server
