#include "compliance/report_index.hpp"

#include <algorithm>

#include "compliance/name_set.hpp"

namespace vigia::compliance {

ReportIndex::ReportIndex(const common::Report& report, bool with_parents)
    : report_(report), host_ip_(parseIpAddress(report.host.ip)) {
  const auto& processes = report.processes;
  name_hash_.reserve(processes.size());
  user_hash_.reserve(processes.size());
  for (const auto& p : processes) {
    name_hash_.push_back(hashName(p.name));
    user_hash_.push_back(hashName(p.user));
  }
  if (!with_parents) return;
  by_pid_.reserve(processes.size());
  for (std::size_t i = 0; i < processes.size(); ++i) by_pid_.emplace_back(processes[i].pid, i);
  // The agent lists processes by pid already; sorting is for reports from elsewhere. Stable,
  // so that a repeated pid finds its first listing.
  if (!std::is_sorted(by_pid_.begin(), by_pid_.end())) {
    std::stable_sort(by_pid_.begin(), by_pid_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
}

std::optional<std::size_t> ReportIndex::parentOf(std::size_t process) const {
  const auto& ppid = report_.processes[process].ppid;
  if (!ppid) return std::nullopt;
  const auto it =
      std::lower_bound(by_pid_.begin(), by_pid_.end(), *ppid,
                       [](const auto& entry, std::int64_t pid) { return entry.first < pid; });
  if (it == by_pid_.end() || it->first != *ppid) return std::nullopt;
  return it->second;
}

}  // namespace vigia::compliance
