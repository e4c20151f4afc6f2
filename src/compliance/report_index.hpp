#pragma once

// What evaluate() works out once per report for every rule to share: the hashes of process
// names and users (for NameSet lookups), the host's address, and, only when some rule names a
// parent, each process's parent by pid.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/report.hpp"
#include "compliance/network_match.hpp"

namespace vigia::compliance {

class ReportIndex {
 public:
  ReportIndex(const common::Report& report, bool with_parents);

  const common::Report& report() const { return report_; }
  std::size_t nameHash(std::size_t process) const { return name_hash_[process]; }
  std::size_t userHash(std::size_t process) const { return user_hash_[process]; }
  // The process whose pid is this one's ppid (the first, should a report list a pid twice);
  // nullopt without a ppid or with no such process. Only with with_parents.
  std::optional<std::size_t> parentOf(std::size_t process) const;
  const std::optional<IpAddress>& hostIp() const { return host_ip_; }

 private:
  const common::Report& report_;
  std::vector<std::size_t> name_hash_;
  std::vector<std::size_t> user_hash_;
  std::vector<std::pair<std::int64_t, std::size_t>> by_pid_;  // sorted by pid
  std::optional<IpAddress> host_ip_;
};

}  // namespace vigia::compliance
