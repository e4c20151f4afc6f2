#include "compliance/report_index.hpp"

#include <algorithm>

#include "compliance/name_set.hpp"

namespace vigia::compliance {

ReportIndex::ReportIndex(const common::Report& report, Needs needs)
    : report_(report), host_ip_(parseIpAddress(report.host.ip)) {
  const auto& processes = report.processes;
  name_hash_.reserve(processes.size());
  user_hash_.reserve(processes.size());
  for (const auto& p : processes) {
    name_hash_.push_back(hashName(p.name));
    user_hash_.push_back(hashName(p.user));
  }
  if (needs.names) {
    by_name_.reserve(processes.size());
    for (std::size_t i = 0; i < processes.size(); ++i) by_name_.emplace_back(name_hash_[i], i);
    std::sort(by_name_.begin(), by_name_.end());
  }
  if (!needs.parents) return;
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

void ReportIndex::processesNamed(const NameSet& names, std::vector<std::size_t>& out) const {
  out.clear();
  const auto& processes = report_.processes;
  for (const auto& [hash, name] : names.entries()) {
    auto it =
        std::lower_bound(by_name_.begin(), by_name_.end(), std::make_pair(hash, std::size_t{0}));
    for (; it != by_name_.end() && it->first == hash; ++it) {
      if (processes[it->second].name == name) out.push_back(it->second);
    }
  }
  std::sort(out.begin(), out.end());
}

}  // namespace vigia::compliance
