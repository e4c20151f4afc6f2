#include "common/time_util.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vigia::common {
namespace {

struct TimeCase {
  const char* input;
  const char* utc;  // nullptr: must be rejected
};

TEST(Rfc3339, ParsesAndNormalizesToUtc) {
  const TimeCase cases[] = {
      {"2026-11-22T10:13:21.123Z", "2026-11-22T10:13:21.123Z"},
      {"2026-11-22T10:13:21Z", "2026-11-22T10:13:21Z"},
      {"2026-11-22t10:13:21z", "2026-11-22T10:13:21Z"},
      {"2026-11-22 10:13:21Z", "2026-11-22T10:13:21Z"},
      {"2026-11-22T10:13:21.5Z", "2026-11-22T10:13:21.500Z"},
      {"2026-11-22T10:13:21.123456Z", "2026-11-22T10:13:21.123456Z"},
      {"2026-11-22T10:13:21.123456789Z", "2026-11-22T10:13:21.123456Z"},
      {"2026-11-22T01:00:00+02:00", "2026-11-21T23:00:00Z"},
      {"2026-11-21T23:30:00-01:00", "2026-11-22T00:30:00Z"},
      {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
      {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
      {"2026-12-31T23:59:60Z", "2027-01-01T00:00:00Z"},
      {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
      {"9999-12-31T23:59:59.000001Z", "9999-12-31T23:59:59.000001Z"},
      {"2026-11-22T10:13:21.0001Z", "2026-11-22T10:13:21.000100Z"},
      {"2026-11-22T10:13:21.010Z", "2026-11-22T10:13:21.010Z"},
      {"2025-02-29T00:00:00Z", nullptr},
      {"2026-13-01T00:00:00Z", nullptr},
      {"2026-11-22T24:00:00Z", nullptr},
      {"2026-11-22T10:13:21", nullptr},
      {"2026-11-22T10:13:21.Z", nullptr},
      {"2026-11-22T10:13:21+0200", nullptr},
      {"2026-11-22T10:13:21+02:00x", nullptr},
      {"2026-11-22", nullptr},
      {"yesterday", nullptr},
      {"", nullptr},
  };
  for (const auto& c : cases) {
    auto t = parseRfc3339(c.input);
    if (c.utc) {
      ASSERT_TRUE(t.ok()) << c.input << ": " << t.error().message;
      EXPECT_EQ(formatRfc3339Utc(*t), c.utc) << c.input;
    } else {
      EXPECT_FALSE(t.ok()) << c.input;
    }
  }
}

TEST(Rfc3339, UtcDateFollowsTheOffset) {
  EXPECT_EQ(utcDate(*parseRfc3339("2026-11-22T01:00:00+02:00")), "2026-11-21");
  EXPECT_EQ(utcDate(*parseRfc3339("2026-11-22T23:59:59.999Z")), "2026-11-22");
  EXPECT_EQ(utcDate(*parseRfc3339("1969-12-31T23:59:59Z")), "1969-12-31");
}

TEST(Rfc3339, AnyInstantOfYears1To9999RoundTrips) {
  std::mt19937_64 random(20261122);
  const auto first = parseRfc3339("0001-01-01T00:00:00Z")->time_since_epoch().count();
  const auto last = parseRfc3339("9999-12-31T23:59:59.999999Z")->time_since_epoch().count();
  std::uniform_int_distribution<long long> pick(first, last);
  for (int i = 0; i < 100000; ++i) {
    const Timestamp t{Timestamp::duration(pick(random))};
    const std::string text = formatRfc3339Utc(t);
    auto back = parseRfc3339(text);
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(*back, t) << text;
  }
}

TEST(Rfc3339, NowRoundTrips) {
  const Timestamp now = nowUtc();
  auto back = parseRfc3339(formatRfc3339Utc(now));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, now);
}

}  // namespace
}  // namespace vigia::common
