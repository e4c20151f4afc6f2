#include "agent/runtime/schedule.hpp"

#include <gtest/gtest.h>

namespace vigia::agent {
namespace {

using std::chrono::milliseconds;

WallClock::time_point at(std::int64_t ms) { return WallClock::time_point(milliseconds(ms)); }

TEST(Schedule, SlotsAreTheIntervalShiftedByTheOffset) {
  const milliseconds minute(60'000);
  EXPECT_EQ(nextSlot(at(0), minute, milliseconds(0)), at(60'000));
  EXPECT_EQ(nextSlot(at(1), minute, milliseconds(0)), at(60'000));
  EXPECT_EQ(nextSlot(at(59'999), minute, milliseconds(0)), at(60'000));
  EXPECT_EQ(nextSlot(at(60'000), minute, milliseconds(0)), at(120'000));  // strictly after
  EXPECT_EQ(nextSlot(at(1'000), minute, milliseconds(17'000)), at(17'000));
  EXPECT_EQ(nextSlot(at(17'000), minute, milliseconds(17'000)), at(77'000));
  EXPECT_EQ(nextSlot(at(100'000), minute, milliseconds(17'000)), at(137'000));
}

TEST(Schedule, RandomOffsetsStayInsideTheIntervalAndDiffer) {
  const milliseconds minute(60'000);
  std::int64_t lo = minute.count(), hi = -1;
  for (int i = 0; i < 200; ++i) {
    const auto o = randomSlotOffset(minute).count();
    ASSERT_GE(o, 0);
    ASSERT_LT(o, minute.count());
    lo = std::min(lo, o);
    hi = std::max(hi, o);
  }
  EXPECT_GT(hi - lo, 30'000);  // 200 draws spread over more than half the minute
  EXPECT_EQ(randomSlotOffset(milliseconds(1)).count(), 0);
}

}  // namespace
}  // namespace vigia::agent
