#pragma once

// Every process from /proc/<pid>: stat (name, state, ppid, times, RSS), status (effective uid),
// cmdline (command). Processes that exit during the scan are skipped; a file the kernel refuses
// to show (hidepid, EACCES) leaves its fields absent, never fails the scan.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/user_names.hpp"

namespace vigia::agent {

inline constexpr std::size_t kMaxCommandBytes = 4096;

// Effective uid from the "Uid:" line of /proc/<pid>/status (real, effective, saved, fs).
std::optional<uid_t> parseStatusEffectiveUid(std::string_view status);

// NUL-separated arguments joined by spaces, made valid UTF-8, cut to 4096 bytes. An empty
// command line (kernel threads, zombies) becomes "[name]", as ps shows it.
std::string formatCommand(std::string_view raw_cmdline, std::string_view name);

struct ProcessScanOptions {
  std::int64_t boot_time = 0;  // seconds since the epoch (btime)
  long clock_ticks = 100;      // sysconf(_SC_CLK_TCK)
  long page_size = 4096;       // sysconf(_SC_PAGESIZE)
};

std::vector<common::Process> readProcesses(const SystemPaths& paths, UserNames& users,
                                           const ProcessScanOptions& options);

class ProcessCollector final : public Collector {
 public:
  const char* name() const override { return "processes"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
