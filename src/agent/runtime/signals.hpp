#pragma once

// SIGTERM, SIGINT and SIGHUP as events rather than interruptions: they are blocked for the
// whole process and taken with sigtimedwait, which is also how the agent sleeps. So a signal
// never lands in the middle of a libcurl transfer or a file write; the agent notices it at its
// next wait, after finishing the delivery under way.

#include <chrono>

namespace vigia::agent {

class SignalEvents {
 public:
  enum class Event { kTimeout, kStop, kReload };

  // Blocks the three signals; call before any thread starts (libcurl's resolver threads
  // inherit the mask).
  static void blockInThisProcess();

  // Waits up to `duration` for one of the signals.
  Event waitFor(std::chrono::milliseconds duration);

  // Sleeps the whole duration unless a stop is requested (a reload is remembered, not acted
  // on); false when stopping. Zero just polls.
  bool sleepUnlessStopped(std::chrono::milliseconds duration);

  bool stopRequested() const { return stop_; }
  // True once per SIGHUP received.
  bool takeReload();

 private:
  bool stop_ = false;
  bool reload_ = false;
};

}  // namespace vigia::agent
