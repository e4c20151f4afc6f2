#include "agent/collectors/collector.hpp"
#include "agent/collectors/cpu_info.hpp"
#include "agent/collectors/host.hpp"
#include "agent/collectors/os_release.hpp"
#include "agent/collectors/processes.hpp"
#include "agent/collectors/sessions.hpp"

namespace vigia::agent {

std::vector<std::unique_ptr<Collector>> makeBuiltinCollectors() {
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<HostCollector>());
  collectors.push_back(std::make_unique<OsCollector>());
  collectors.push_back(std::make_unique<CpuCollector>());
  collectors.push_back(std::make_unique<ProcessCollector>());
  collectors.push_back(std::make_unique<SessionCollector>());
  return collectors;
}

}  // namespace vigia::agent
