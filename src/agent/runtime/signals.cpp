#include "agent/runtime/signals.hpp"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace vigia::agent {
namespace {

sigset_t watchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void SignalEvents::blockInThisProcess() {
  const sigset_t set = watchedSignals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

SignalEvents::Event SignalEvents::waitFor(std::chrono::milliseconds duration) {
  if (stop_) return Event::kStop;
  const sigset_t set = watchedSignals();
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::max(duration, std::chrono::milliseconds(0));
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
    timespec ts{};
    if (left.count() > 0) {
      ts.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
    }
    const int signo = sigtimedwait(&set, nullptr, &ts);
    if (signo == SIGTERM || signo == SIGINT) {
      stop_ = true;
      return Event::kStop;
    }
    if (signo == SIGHUP) {
      reload_ = true;
      return Event::kReload;
    }
    if (signo < 0 && errno == EINTR && Clock::now() < deadline) continue;  // another signal
    return Event::kTimeout;
  }
}

bool SignalEvents::sleepUnlessStopped(std::chrono::milliseconds duration) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + duration;
  do {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (waitFor(left) == Event::kStop) return false;
  } while (Clock::now() < deadline);
  return !stop_;
}

bool SignalEvents::takeReload() { return std::exchange(reload_, false); }

}  // namespace vigia::agent
