#include "agent/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

namespace vigia::agent {
namespace {

TEST(RetryPolicy, EveryStatusOfSpecSection2) {
  const std::pair<long, AnswerKind> table[] = {
      {201, AnswerKind::kStored},      {0, AnswerKind::kRetry},
      {400, AnswerKind::kRejected},    {401, AnswerKind::kAuthRefused},
      {403, AnswerKind::kAuthRefused}, {404, AnswerKind::kRejected},
      {405, AnswerKind::kRejected},    {408, AnswerKind::kRetry},
      {413, AnswerKind::kRejected},    {415, AnswerKind::kRejected},
      {429, AnswerKind::kRetry},       {500, AnswerKind::kRetry},
      {502, AnswerKind::kRetry},       {503, AnswerKind::kRetry},
      {301, AnswerKind::kRetry},       {204, AnswerKind::kRetry},
  };
  for (const auto& [status, kind] : table) {
    EXPECT_EQ(classifyAnswer(status, false), kind) << status;
  }
  EXPECT_EQ(classifyAnswer(200, true), AnswerKind::kStored);
  // A 200 that is not the server's "duplicate" answer (a captive portal) proves nothing.
  EXPECT_EQ(classifyAnswer(200, false), AnswerKind::kRetry);
}

TEST(RetryPolicy, FullJitterStaysUnderTheGrowingCeiling) {
  using std::chrono::milliseconds;
  Backoff backoff(milliseconds(500), milliseconds(8000), 42);
  for (int attempt = 0; attempt < 12; ++attempt) {
    const auto ceiling = std::min<std::int64_t>(8000, 500LL << attempt);
    const auto d = backoff.next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), ceiling) << attempt;
  }
  // Full jitter spreads a fleet: many draws at the cap are not all alike.
  Backoff spread(milliseconds(500), milliseconds(8000), 7);
  for (int i = 0; i < 5; ++i) spread.next();
  std::int64_t lo = 1 << 30, hi = 0;
  for (int i = 0; i < 200; ++i) {
    const auto d = spread.next().count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 2000);
  EXPECT_GT(hi, 6000);
  backoff.reset();
  EXPECT_LE(backoff.next().count(), 500);
}

}  // namespace
}  // namespace vigia::agent
