#pragma once

// The compliance tables of schema 4 on SQLite, for the storage writer (compliance_writes.hpp).

#include "server/storage/compliance/compliance_writes.hpp"
#include "server/storage/sqlite/connection.hpp"
#include "server/storage/sqlite/sqlite_run_tables.hpp"
#include "server/storage/sqlite/trend_day_cache.hpp"

namespace vigia::server {

class SqliteComplianceWrites final : public ComplianceWrites {
 public:
  SqliteComplianceWrites(SqliteConnection& db, TrendChanges& trend)
      : db_(db), trend_(trend), runs_(db) {}

  RunTable<VerdictEntry>& runs() override { return runs_; }
  common::Result<std::vector<std::int64_t>> ruleIds(
      std::span<const compliance::RuleInfo> rules) override;
  common::Result<std::vector<VerdictEntry>> currentVerdicts(std::int64_t host_id) override;
  common::Status setEvidence(std::int64_t host_id, std::optional<std::int64_t> last_report_id,
                             const VerdictEntry& verdict) override;
  common::Status countVerdicts(std::int64_t rule_id, compliance::Status status,
                               std::int64_t delta) override;
  common::Status setHostFailing(std::int64_t host_id, bool failing) override;
  common::Result<std::string> document(std::int64_t report_id) override;
  common::Status enqueueEvent(const std::string& webhook, const std::string& event_id,
                              const std::string& body, std::int64_t created_us) override;
  common::Result<std::vector<HostRef>> markStale(std::int64_t cutoff_us, int max) override;
  common::Result<bool> clearStale(std::int64_t host_id) override;
  common::Result<std::vector<NewestReport>> newestReports(std::int64_t after_host_id,
                                                          int max) override;
  common::Result<std::optional<std::string>> state(const std::string& key) override;
  common::Status setState(const std::string& key, const std::string& value) override;

  void rolledBack() { runs_.rolledBack(); }

 private:
  SqliteConnection& db_;
  // Judging a report again may change the trend's days from its own on.
  TrendChanges& trend_;
  SqliteRunTable<VerdictEntry> runs_;
};

}  // namespace vigia::server
