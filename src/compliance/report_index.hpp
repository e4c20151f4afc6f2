#pragma once

// What evaluate() works out once per report for every rule to share: the hashes of process
// names and users (for NameSet lookups), the host's address and, only when some rule needs
// them, the processes by name (a rule with `name` visits just those, not every process) and
// by pid (for parent_name).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/report.hpp"
#include "compliance/network_match.hpp"

namespace vigia::compliance {

class NameSet;

class ReportIndex {
 public:
  struct Needs {
    bool names = false;
    bool parents = false;
  };
  ReportIndex(const common::Report& report, Needs needs);

  const common::Report& report() const { return report_; }
  std::size_t nameHash(std::size_t process) const { return name_hash_[process]; }
  std::size_t userHash(std::size_t process) const { return user_hash_[process]; }
  // The process whose pid is this one's ppid (the first, should a report list a pid twice);
  // nullopt without a ppid or with no such process. Only with Needs::parents.
  std::optional<std::size_t> parentOf(std::size_t process) const;
  // Replaces `out` with the processes named one of `names`, in report order. Only with
  // Needs::names.
  void processesNamed(const NameSet& names, std::vector<std::size_t>& out) const;
  const std::optional<IpAddress>& hostIp() const { return host_ip_; }

 private:
  const common::Report& report_;
  std::vector<std::size_t> name_hash_;
  std::vector<std::size_t> user_hash_;
  std::vector<std::pair<std::size_t, std::size_t>> by_name_;  // (name hash, process), sorted
  std::vector<std::pair<std::int64_t, std::size_t>> by_pid_;  // sorted by pid
  std::optional<IpAddress> host_ip_;
};

}  // namespace vigia::compliance
