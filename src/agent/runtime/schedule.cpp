#include "agent/runtime/schedule.hpp"

#include <random>

namespace vigia::agent {

WallClock::time_point nextSlot(WallClock::time_point now, std::chrono::milliseconds interval,
                               std::chrono::milliseconds offset) {
  using std::chrono::milliseconds;
  const auto since_epoch = std::chrono::duration_cast<milliseconds>(now.time_since_epoch());
  const auto shifted = since_epoch - offset;
  // Floor division that is right for times before the offset too.
  auto slots = shifted.count() / interval.count();
  if (shifted.count() % interval.count() < 0) --slots;
  const milliseconds next = milliseconds((slots + 1) * interval.count()) + offset;
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(next));
}

std::chrono::milliseconds randomSlotOffset(std::chrono::milliseconds interval) {
  std::uniform_int_distribution<std::int64_t> draw(0, interval.count() - 1);
  std::random_device device;
  return std::chrono::milliseconds(draw(device));
}

}  // namespace vigia::agent
