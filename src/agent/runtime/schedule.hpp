#pragma once

// When `run` collects: on slots every `interval`, shifted by an offset each agent draws at
// random in [0, interval). A fleet restarted together (a deployment, a power cut) then reports
// spread over the interval instead of in one burst every minute.

#include <chrono>

namespace vigia::agent {

using WallClock = std::chrono::system_clock;

// The first slot strictly after `now`.
WallClock::time_point nextSlot(WallClock::time_point now, std::chrono::milliseconds interval,
                               std::chrono::milliseconds offset);

// A random offset in [0, interval).
std::chrono::milliseconds randomSlotOffset(std::chrono::milliseconds interval);

}  // namespace vigia::agent
