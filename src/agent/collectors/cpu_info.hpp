#pragma once

// Processor: vendor and model from /proc/cpuinfo (x86 and arm64 layouts), sockets / cores /
// threads from sysfs topology (cpuinfo's own ids as a fallback), MHz from cpuinfo or cpufreq.

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

struct CpuInfoText {
  std::optional<std::string> vendor;
  std::optional<std::string> model;
  std::optional<double> mhz;
  std::int64_t processors = 0;                          // "processor" stanzas
  std::set<std::string> physical_ids;                   // x86 "physical id"
  std::set<std::pair<std::string, std::string>> cores;  // ("physical id", "core id")
};

// Pure parser. arm64 has no "model name": the model is built from "CPU implementer" and
// "CPU part" (e.g. "ARM Neoverse-N1"), as lscpu does.
CpuInfoText parseCpuInfo(std::string_view text);

struct CpuTopology {
  std::int64_t sockets = 0;
  std::int64_t cores = 0;
  std::int64_t threads = 0;
};

// From <sys>/devices/system/cpu/cpuN/topology/{physical_package_id,core_id}; empty if absent.
std::optional<CpuTopology> readCpuTopology(const SystemPaths& paths);

common::CpuInfo readCpuInfo(const SystemPaths& paths, const std::string& machine);

class CpuCollector final : public Collector {
 public:
  const char* name() const override { return "cpu"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
