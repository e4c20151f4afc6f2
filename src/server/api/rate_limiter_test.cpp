#include "server/api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace vigia::server {
namespace {

using namespace std::chrono_literals;

// The limiter reads time only through its clock, so tests move time by hand: no sleeps.
class ManualClock {
 public:
  RateLimiter::Clock clock() {
    return [this] { return now_; };
  }
  void advance(std::chrono::nanoseconds by) { now_ += by; }

 private:
  RateLimiter::TimePoint now_{std::chrono::hours(1000)};
};

RateLimitOptions limits(double rps, double burst, std::size_t max_sources = 65536) {
  RateLimitOptions o;
  o.requests_per_second = rps;
  o.burst = burst;
  o.max_sources = max_sources;
  return o;
}

TEST(RateLimiter, BurstPassesThenRefusedWithRetryAfter) {
  ManualClock time;
  RateLimiter limiter(limits(2, 3), time.clock());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("10.0.0.1").allowed) << i;
  const auto refused = limiter.acquire("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);  // half a second, rounded up to a whole one
}

TEST(RateLimiter, RetryAfterIsTheTimeUntilOneRequestPasses) {
  ManualClock time;
  RateLimiter limiter(limits(0.1, 1), time.clock());
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_EQ(limiter.acquire("a").retry_after, 10s);
  time.advance(4s);
  EXPECT_EQ(limiter.acquire("a").retry_after, 6s);
  time.advance(6s);
  EXPECT_TRUE(limiter.acquire("a").allowed);

  RateLimiter absurd(limits(1e-300, 1), time.clock());
  EXPECT_TRUE(absurd.acquire("a").allowed);
  EXPECT_EQ(absurd.acquire("a").retry_after, 86400s);
}

TEST(RateLimiter, RefillsAtTheRateButNeverBeyondTheBurst) {
  ManualClock time;
  RateLimiter limiter(limits(2, 4), time.clock());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.acquire("a").allowed);
  ASSERT_FALSE(limiter.acquire("a").allowed);
  time.advance(500ms);  // one token
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
  time.advance(1h);  // capped at the burst
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.acquire("a").allowed) << i;
  EXPECT_FALSE(limiter.acquire("a").allowed);
}

TEST(RateLimiter, SourcesAreIndependentAndIpv6CountsPerSlash64) {
  ManualClock time;
  RateLimiter limiter(limits(1, 1), time.clock());
  EXPECT_TRUE(limiter.acquire("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.acquire("10.0.0.1").allowed);
  EXPECT_TRUE(limiter.acquire("10.0.0.2").allowed);

  EXPECT_TRUE(limiter.acquire("2001:db8:1:2::1").allowed);
  EXPECT_FALSE(limiter.acquire("2001:db8:1:2:ffff:ffff:ffff:ffff").allowed) << "same /64";
  EXPECT_TRUE(limiter.acquire("2001:db8:1:3::1").allowed) << "another /64";

  EXPECT_EQ(rateLimitKey("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(rateLimitKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(rateLimitKey("not an address"), "not an address");
}

TEST(RateLimiter, LoopbackClientsAreNeverLimited) {
  ManualClock time;
  RateLimiter limiter(limits(0.001, 1), time.clock());
  for (const char* loopback : {"127.0.0.1", "127.9.8.7", "::1"}) {
    for (int i = 0; i < 1001; ++i) ASSERT_TRUE(limiter.acquire(loopback).allowed) << loopback;
  }
  EXPECT_EQ(limiter.sources(), 0u) << "no bucket is kept for them";
  EXPECT_TRUE(limiter.acquire("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.acquire("10.0.0.1").allowed) << "every other address still is";
  EXPECT_TRUE(limiter.acquire("128.0.0.1").allowed);
  EXPECT_FALSE(limiter.acquire("128.0.0.1").allowed) << "only 127.0.0.0/8 and ::1 are loopback";
}

TEST(RateLimiter, ZeroRateMeansNoLimitAndNoMemory) {
  ManualClock time;
  RateLimiter limiter(limits(0, 1), time.clock());
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.acquire("a").allowed);
  EXPECT_EQ(limiter.sources(), 0u);
}

TEST(RateLimiter, TableStaysWithinItsCapUnderAFloodOfSources) {
  ManualClock time;
  RateLimiter limiter(limits(1, 5, /*max_sources=*/8), time.clock());
  for (int i = 0; i < 10'000; ++i) {
    // Every source keeps a used bucket, so none is idle: the cap alone bounds the table.
    ASSERT_TRUE(
        limiter.acquire("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256)).allowed);
    ASSERT_LE(limiter.sources(), 8u);
  }
  EXPECT_EQ(limiter.sources(), 8u);

  RateLimiter big(limits(1, 5, 65536), time.clock());
  char address[64];
  for (unsigned i = 0; i < 67'000; ++i) {
    std::snprintf(address, sizeof address, "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
    big.acquire(address);
  }
  EXPECT_LE(big.sources(), 65536u);
  EXPECT_GT(big.sources(), 60000u) << "the cap is for the whole table, not far below it";
}

TEST(RateLimiter, IdleBucketsAreDroppedBeforeBusyOnes) {
  ManualClock time;
  RateLimiter limiter(limits(1, 2, /*max_sources=*/4), time.clock());
  // A spends its whole burst; B, C, D one request each.
  ASSERT_TRUE(limiter.acquire("A").allowed);
  ASSERT_TRUE(limiter.acquire("A").allowed);
  for (const char* s : {"B", "C", "D"}) ASSERT_TRUE(limiter.acquire(s).allowed);
  time.advance(1500ms);  // B, C, D are full again (idle); A holds 1.5 tokens
  ASSERT_EQ(limiter.sources(), 4u);
  ASSERT_TRUE(limiter.acquire("E").allowed);  // the table is full: the idle ones go, A stays
  EXPECT_EQ(limiter.sources(), 2u);
  EXPECT_TRUE(limiter.acquire("A").allowed);
  EXPECT_FALSE(limiter.acquire("A").allowed) << "A's bucket was forgotten and restarted full";
}

TEST(RateLimiter, ConcurrentRequestsNeverExceedTheBurst) {
  ManualClock time;  // frozen: no refill, so exactly `burst` requests may pass
  RateLimiter limiter(limits(1, 100), time.clock());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.acquire("shared").allowed) ++allowed;
        limiter.acquire("own-" + std::to_string(t) + "-" + std::to_string(i % 50));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 100);
  EXPECT_EQ(limiter.sources(), 1u + 8 * 50);
}

}  // namespace
}  // namespace vigia::server
