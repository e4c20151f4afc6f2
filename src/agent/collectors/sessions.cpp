#include "agent/collectors/sessions.hpp"

#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>
#include <unistd.h>
#include <utmp.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "agent/collectors/file_io.hpp"
#include "agent/collectors/proc_stat.hpp"
#include "common/time_util.hpp"
#include "common/utf8.hpp"

namespace vigia::agent {
namespace {

// Fixed-size utmp char fields are not NUL-terminated when full.
std::string field(const char* data, std::size_t size) {
  return common::sanitizeUtf8(std::string_view(data, ::strnlen(data, size)));
}

struct ProcessStart {
  bool alive = false;
  std::optional<common::Timestamp> started;
};

ProcessStart processStart(const SystemPaths& paths, std::int64_t pid) {
  auto text = readFile(paths.proc / std::to_string(pid) / "stat", 4096);
  if (!text) return {};
  ProcessStart result{true, std::nullopt};
  const auto st = parsePidStat(*text);
  const auto boot = readBootTime(paths);
  if (st && boot) {
    const long ticks = ::sysconf(_SC_CLK_TCK);
    result.started =
        common::Timestamp{std::chrono::seconds{*boot}} +
        std::chrono::milliseconds{static_cast<std::int64_t>(st->start_ticks) * 1000 / ticks};
  }
  return result;
}

// Frees sd-login's malloc'ed strings and arrays.
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

std::optional<std::string> sessionString(int (*getter)(const char*, char**), const char* id) {
  char* raw = nullptr;
  if (getter(id, &raw) < 0 || !raw) return std::nullopt;
  CString owned(raw);
  if (raw[0] == '\0') return std::nullopt;
  return common::sanitizeUtf8(raw);
}

}  // namespace

UtmpScan readUtmpSessions(const std::filesystem::path& utmp_path, const SystemPaths& paths) {
  UtmpScan scan;
  auto data = readFile(utmp_path, 64 << 20);
  if (!data) return scan;
  scan.file_present = true;
  const std::size_t count = data->size() / sizeof(utmp);  // a torn last record is ignored
  for (std::size_t i = 0; i < count; ++i) {
    utmp record;
    std::memcpy(&record, data->data() + i * sizeof(utmp), sizeof(utmp));
    if (record.ut_type != USER_PROCESS) continue;
    ++scan.user_records;
    const auto login = common::Timestamp{std::chrono::seconds{record.ut_tv.tv_sec}} +
                       std::chrono::microseconds{record.ut_tv.tv_usec};
    const ProcessStart leader = processStart(paths, record.ut_pid);
    if (record.ut_pid <= 0 || !leader.alive) continue;
    // The leader is started before it writes the record; one second of slack covers btime's
    // whole-second rounding.
    if (leader.started && *leader.started > login + std::chrono::seconds{1}) continue;

    common::Session s;
    s.user = field(record.ut_user, sizeof record.ut_user);
    s.tty = field(record.ut_line, sizeof record.ut_line);
    std::string host = field(record.ut_host, sizeof record.ut_host);
    if (!host.empty()) s.remote_host = std::move(host);
    s.login_time = common::formatRfc3339Utc(login);
    s.pid = record.ut_pid;
    if (s.user.empty()) continue;
    scan.live.push_back(std::move(s));
  }
  return scan;
}

std::vector<common::Session> readLogindSessions(const std::vector<common::Process>& processes,
                                                UserNames& users) {
  std::vector<common::Session> out;
  char** ids = nullptr;
  const int n = sd_get_sessions(&ids);
  if (n <= 0 || !ids) {
    std::free(ids);
    return out;
  }
  std::vector<std::string> session_ids;
  for (int i = 0; i < n; ++i) {
    CString id(ids[i]);
    const auto state = sessionString(sd_session_get_state, id.get());
    const auto klass = sessionString(sd_session_get_class, id.get());
    if (!state || *state == "closing" || klass.value_or("") != "user") continue;
    uid_t uid = 0;
    if (sd_session_get_uid(id.get(), &uid) < 0) continue;
    common::Session s;
    s.user = users.nameOf(uid);
    s.tty = sessionString(sd_session_get_tty, id.get())
                .value_or(sessionString(sd_session_get_display, id.get()).value_or(""));
    s.remote_host = sessionString(sd_session_get_remote_host, id.get());
    out.push_back(std::move(s));
    session_ids.emplace_back(id.get());
  }
  std::free(ids);
  if (out.empty()) return out;

  // sd-login of systemd 252 has no call for a session's leader or start time, so the leader is
  // the session's oldest process: the one that opened it (sshd's [priv] child, login).
  // RFC 3339 UTC strings of one format compare like the instants they name.
  for (const auto& p : processes) {
    char* raw = nullptr;
    if (sd_pid_get_session(static_cast<pid_t>(p.pid), &raw) < 0 || !raw) continue;
    CString session(raw);
    for (std::size_t i = 0; i < session_ids.size(); ++i) {
      if (session_ids[i] != session.get() || !p.started_at) continue;
      auto& s = out[i];
      if (!s.login_time || *p.started_at < *s.login_time) {
        s.login_time = p.started_at;
        s.pid = p.pid;
      }
    }
  }
  return out;
}

std::vector<common::Session> readSessions(const SystemPaths& paths,
                                          const std::vector<common::Process>& processes) {
  UtmpScan scan = readUtmpSessions(paths.utmp, paths);
  if (scan.user_records > 0 || !paths.use_logind || sd_booted() <= 0) return std::move(scan.live);
  UserNames users = paths.passwd_file ? UserNames(*paths.passwd_file) : UserNames();
  return readLogindSessions(processes, users);
}

common::Status SessionCollector::collect(const CollectContext& context, common::Report& report) {
  report.sessions = readSessions(context.paths, report.processes);
  return common::Ok{};
}

}  // namespace vigia::agent
