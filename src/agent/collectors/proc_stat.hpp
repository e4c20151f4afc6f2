#pragma once

// Parsers for /proc/stat (boot time) and /proc/<pid>/stat, shared by the process, session and
// host collectors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

// "btime" of /proc/stat: boot time in seconds since the epoch.
std::optional<std::int64_t> parseBootTime(std::string_view proc_stat);
std::optional<std::int64_t> readBootTime(const SystemPaths& paths);

struct PidStat {
  std::string comm;  // raw bytes between the first '(' and the last ')'
  char state = '?';
  std::int64_t ppid = 0;
  std::uint64_t flags = 0;
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // since boot
  std::int64_t rss_pages = 0;
};

inline constexpr std::uint64_t kPfKthread = 0x00200000;  // PF_KTHREAD in linux/sched.h

// comm may hold spaces, parentheses and newlines, so the name ends at the *last* ')'.
std::optional<PidStat> parsePidStat(std::string_view text);

}  // namespace vigia::agent
