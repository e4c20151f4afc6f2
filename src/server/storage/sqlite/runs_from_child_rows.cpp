#include "server/storage/sqlite/runs_from_child_rows.hpp"

#include "server/storage/runs/run_ledger.hpp"
#include "server/storage/sqlite/migrations.hpp"
#include "server/storage/sqlite/sqlite_run_tables.hpp"

namespace vigia::server {
namespace {

// Reports are replayed in order, so the ledger never asks about the timeline.
class ReplayedInOrder final : public HostTimeline {
 public:
  common::Result<std::optional<ReportPoint>> latestReport(std::int64_t, std::int64_t) override {
    return unexpected();
  }
  common::Result<Neighbors> neighbors(std::int64_t, const ReportPoint&) override {
    return unexpected();
  }

 private:
  static common::Error unexpected() {
    return common::makeError(common::ErrorCode::kInternal,
                             "migration 3 replays each host's reports in order");
  }
};

std::optional<std::int64_t> optionalInt(const Statement& s, int c) {
  return s.isNull(c) ? std::nullopt : std::optional<std::int64_t>(s.int64(c));
}
std::optional<std::string> optionalText(const Statement& s, int c) {
  return s.isNull(c) ? std::nullopt : std::optional<std::string>(s.text(c));
}

}  // namespace

common::Status buildRunsFromChildRows(SqliteConnection& db) {
  SqliteRunTable<common::Process> process_runs(db);
  SqliteRunTable<common::Session> session_runs(db);
  RunLedger<common::Process> processes;
  RunLedger<common::Session> sessions;
  ReplayedInOrder timeline;

  auto reports = db.prepare(
      "SELECT id, host_id, collected_us, uuid FROM reports ORDER BY host_id, collected_us, uuid");
  if (!reports) return reports.error();
  std::int64_t host = -1;
  std::vector<common::Process> listed_processes;
  std::vector<common::Session> listed_sessions;
  while (true) {
    auto row = (*reports)->step();
    if (!row) return row.error();
    if (!*row) break;
    const ReportPoint point{(*reports)->int64(0), (*reports)->int64(2), (*reports)->text(3)};
    if ((*reports)->int64(1) != host) {
      processes.forget(host);
      sessions.forget(host);
      host = (*reports)->int64(1);
      processes.startHost(host);
      sessions.startHost(host);
    }
    // A report's child rows are the key range of its id (migration 2).
    const std::int64_t low = point.report_id * kChildRowsPerReport;
    const std::int64_t high = low + kChildRowsPerReport - 1;
    auto p = db.prepare(
        "SELECT pid, ppid, name, user_name, uid, command, started_at FROM processes "
        "WHERE id BETWEEN ? AND ? ORDER BY id");
    if (!p) return p.error();
    (*p)->bind(1, low).bind(2, high);
    listed_processes.clear();
    while (true) {
      auto r = (*p)->step();
      if (!r) return r.error();
      if (!*r) break;
      const Statement& s = **p;
      common::Process process;
      process.pid = s.int64(0);
      process.ppid = optionalInt(s, 1);
      process.name = s.text(2);
      process.user = s.text(3);
      process.uid = optionalInt(s, 4);
      process.command = optionalText(s, 5);
      process.started_at = optionalText(s, 6);
      listed_processes.push_back(std::move(process));
    }
    (*p)->reset();
    auto q = db.prepare(
        "SELECT user_name, tty, remote_host, login_time, pid FROM sessions "
        "WHERE id BETWEEN ? AND ? ORDER BY id");
    if (!q) return q.error();
    (*q)->bind(1, low).bind(2, high);
    listed_sessions.clear();
    while (true) {
      auto r = (*q)->step();
      if (!r) return r.error();
      if (!*r) break;
      const Statement& s = **q;
      listed_sessions.push_back(
          {s.text(0), s.text(1), optionalText(s, 2), optionalText(s, 3), optionalInt(s, 4)});
    }
    (*q)->reset();
    if (auto st = processes.record(process_runs, timeline, host, point, listed_processes); !st)
      return st;
    if (auto st = sessions.record(session_runs, timeline, host, point, listed_sessions); !st)
      return st;
  }
  (*reports)->reset();
  return common::Ok{};
}

}  // namespace vigia::server
