#pragma once

// The write side of the SQLite backend: every SQL text the storage writer runs.

#include <string>
#include <unordered_map>

#include "server/storage/database.hpp"
#include "server/storage/sqlite/connection.hpp"
#include "server/storage/sqlite/sqlite_compliance_writes.hpp"
#include "server/storage/sqlite/sqlite_run_tables.hpp"
#include "server/storage/sqlite/trend_day_cache.hpp"

namespace vigia::server {

class SqliteWriteSession final : public WriteSession {
 public:
  SqliteWriteSession(SqliteConnection& db, TrendDayCache& trend_days)
      : db_(db),
        trend_(trend_days),
        process_runs_(db),
        session_runs_(db),
        compliance_(db, trend_) {}

  common::Status begin() override;
  common::Status commit() override;
  void rollback() override;

  common::Result<bool> isStored(const std::string& uuid) override;
  common::Result<StoredReport> insertReport(const ReportToStore& report) override;
  RunTable<common::Process>& processRuns() override { return process_runs_; }
  RunTable<common::Session>& sessionRuns() override { return session_runs_; }
  ComplianceWrites& compliance() override { return compliance_; }
  common::Result<std::optional<ReportPoint>> latestReport(std::int64_t host_id,
                                                          std::int64_t excluding) override;
  common::Result<Neighbors> neighbors(std::int64_t host_id, const ReportPoint& point) override;

  common::Result<std::map<std::string, FileCheckpoint>> fileCheckpoints() override;
  common::Status recordFile(const std::string& path, const FileCheckpoint& checkpoint) override;
  common::Status forgetFile(const std::string& path) override;
  common::Status forEachDocumentOfDay(
      const std::string& ip, common::Timestamp day, std::int64_t after_report_id,
      const std::function<common::Status(std::int64_t report_id, std::string_view document)>& each)
      override;

  common::Result<std::int64_t> countHosts() override;
  common::Result<std::vector<std::int64_t>> hostsWithReportsBefore(std::int64_t cutoff_us) override;
  common::Result<Expired> expireReports(std::int64_t host_id, std::int64_t cutoff_us,
                                        int max) override;

 private:
  // The id of a dimension row (os_releases, cpu_models), inserted if new. Cached: a fleet has
  // few distinct values.
  common::Result<std::int64_t> dimensionId(const std::string& insert_sql,
                                           const std::string& select_sql,
                                           const std::vector<std::string>& values,
                                           std::unordered_map<std::string, std::int64_t>& cache);

  SqliteConnection& db_;
  TrendChanges trend_;
  SqliteRunTable<common::Process> process_runs_;
  SqliteRunTable<common::Session> session_runs_;
  SqliteComplianceWrites compliance_;
  // Ids cached during a transaction that rolls back may name rows that no longer exist: both
  // are cleared on rollback.
  std::unordered_map<std::string, std::int64_t> os_ids_, cpu_ids_;
};

}  // namespace vigia::server
