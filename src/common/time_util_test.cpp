#include "common/time_util.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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

// The shortcut for text already in canonical form must agree with parse + format: on
// spellings next to the canonical ones (zero fractions, offsets, a leap second, a lowercase
// `z`, a bad digit) and on six spellings of each of 20,000 random instants.
TEST(Rfc3339, CanonicalTextIsParseThenFormatWithOrWithoutTheShortcut) {
  std::vector<std::string> inputs = {
      "2026-11-22T10:13:21.000Z",    "2026-11-22T10:13:21.000000Z", "2026-11-22T10:13:21.123000Z",
      "2026-11-22T10:13:21.000100Z", "2026-11-22T10:13:60.123Z",    "2026-11-22T10:13:21.12Z",
      "2026-11-22T10:13:21.1234Z",   "2026-11-22T10:13:21+00:00",   "2026-11-22T10:13:21.123+00:00",
      "0000-01-01T00:00:00Z",        "2026-11-22T10:13:21.1a3Z",    "2026-11-22T10:13:21.123z"};
  std::mt19937_64 random(20261130);
  std::uniform_int_distribution<long long> pick(
      parseRfc3339("0001-01-01T00:00:00Z")->time_since_epoch().count(),
      parseRfc3339("9999-12-31T23:59:59.999999Z")->time_since_epoch().count());
  for (int i = 0; i < 20000; ++i) {
    const std::string text = formatRfc3339Utc(Timestamp{Timestamp::duration(pick(random))});
    inputs.push_back(text);
    const std::string whole = text.substr(0, 19);
    inputs.push_back(whole + ".000Z");
    inputs.push_back(whole + ".000000Z");
    inputs.push_back(whole + ".123000Z");
    inputs.push_back(whole + "+01:30");
    inputs.push_back(whole.substr(0, 17) + "60Z");
  }
  for (const std::string& input : inputs) {
    const auto parsed = parseRfc3339(input);
    const auto canonical = canonicalRfc3339Utc(input);
    ASSERT_EQ(parsed.ok(), canonical.ok()) << input;
    if (parsed.ok()) {
      ASSERT_EQ(*canonical, formatRfc3339Utc(*parsed)) << input;
    } else {
      ASSERT_EQ(canonical.error().message, parsed.error().message) << input;
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
