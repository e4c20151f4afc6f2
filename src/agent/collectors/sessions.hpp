#pragma once

// Users with an open session now. What counts (see docs/collectors.md):
//  - a utmp record of type USER_PROCESS (not LOGIN_PROCESS, BOOT_TIME, DEAD_PROCESS, …)
//  - whose pid is alive under /proc and started no later than the login time (a pid reused
//    after a crashed sshd left its record behind does not make the stale record live);
//  - when utmp is missing or holds no USER_PROCESS record at all, logind's sessions of class
//    "user" that are not closing, via sd-login.

#include <string>
#include <vector>

#include "agent/collectors/collector.hpp"
#include "agent/collectors/user_names.hpp"

namespace vigia::agent {

struct UtmpScan {
  bool file_present = false;
  std::size_t user_records = 0;  // USER_PROCESS records, live or stale
  std::vector<common::Session> live;
};

// Reads utmp records straight from `utmp_path` (no global utmpname() state) and keeps the live
// ones, checking each pid under `proc_root`.
UtmpScan readUtmpSessions(const std::filesystem::path& utmp_path, const SystemPaths& paths);

// logind's view, through sd-login. Login time and pid are those of the session's oldest process
// among `processes` (the process collector's scan), since sd-login (systemd 252) has no call
// for a session's leader or timestamp.
std::vector<common::Session> readLogindSessions(const std::vector<common::Process>& processes,
                                                UserNames& users);

// Runs after the process collector: the logind fallback uses its process list.
std::vector<common::Session> readSessions(const SystemPaths& paths,
                                          const std::vector<common::Process>& processes);

class SessionCollector final : public Collector {
 public:
  const char* name() const override { return "sessions"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
