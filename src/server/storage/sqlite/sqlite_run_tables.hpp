#pragma once

// process_runs, session_runs and compliance_runs on SQLite: one implementation of RunTable, with
// each table's identity columns in RunColumns<Entry>.

#include <string>

#include "common/report.hpp"
#include "server/storage/compliance/verdict_entry.hpp"
#include "server/storage/runs/run_table.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

// last_seen_us of an open run: the largest BIGINT, so that "runs lasting until at least t" is
// one range of the (host_id, last_seen_us) index, open runs included.
inline constexpr std::int64_t kOpenRunUs = 9'223'372'036'854'775'807;

template <typename Entry>
struct RunColumns;

template <>
struct RunColumns<common::Process> {
  static constexpr const char* kTable = "process_runs";
  static constexpr const char* kColumns = "pid, ppid, name, user_name, uid, command, started_at";
  static constexpr int kCount = 7;
  static void bind(Statement& stmt, int at, const common::Process& p);
  static common::Process read(const Statement& stmt, int at);
};

template <>
struct RunColumns<common::Session> {
  static constexpr const char* kTable = "session_runs";
  static constexpr const char* kColumns = "user_name, tty, remote_host, login_time, pid";
  static constexpr int kCount = 5;
  static void bind(Statement& stmt, int at, const common::Session& s);
  static common::Session read(const Statement& stmt, int at);
};

template <>
struct RunColumns<VerdictEntry> {
  static constexpr const char* kTable = "compliance_runs";
  static constexpr const char* kColumns = "rule_id, status, evidence, waiver";
  static constexpr int kCount = 4;
  static void bind(Statement& stmt, int at, const VerdictEntry& v);
  static VerdictEntry read(const Statement& stmt, int at);
};

template <typename Entry>
class SqliteRunTable final : public RunTable<Entry> {
 public:
  using Run = typename RunTable<Entry>::Run;

  explicit SqliteRunTable(SqliteConnection& db);

  common::Result<std::int64_t> insert(std::int64_t host_id, const Entry& entry, int copy,
                                      const ReportPoint& first,
                                      const std::optional<ReportPoint>& last) override;
  common::Status setFirst(std::int64_t run_id, const ReportPoint& first) override;
  common::Status setLast(std::int64_t run_id, const std::optional<ReportPoint>& last) override;
  common::Status remove(std::int64_t run_id) override;
  common::Result<std::vector<Run>> openRuns(std::int64_t host_id) override;
  common::Result<std::vector<Run>> runsAround(std::int64_t host_id,
                                              const std::optional<ReportPoint>& before,
                                              const ReportPoint& after) override;

  // The transaction rolled back: the ids it handed out are free again.
  void rolledBack() { next_id_ = 0; }

 private:
  SqliteConnection& db_;
  // The writer names new rows itself (it is the only writer): an INSERT … RETURNING id cost
  // more than the insert.
  std::int64_t next_id_ = 0;  // 0: read max(id) first
  std::string max_id_;
  std::string insert_, set_first_, set_last_, remove_, open_, around_;
};

}  // namespace vigia::server
