#pragma once

// The SQLite backend (WAL): one writer connection for the storage writer thread, a small pool
// of read-only connections for the queries (WAL lets them read beside the writer), and the
// checkpointer that copies the log back on a thread of its own.

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "server/storage/database.hpp"
#include "server/storage/sqlite/connection.hpp"
#include "server/storage/sqlite/trend_day_cache.hpp"
#include "server/storage/sqlite/wal_checkpointer.hpp"

namespace vigia::server {

class SqliteDatabase;

// A read connection borrowed from the pool, given back when the lease ends, on every path.
class ReaderLease {
 public:
  ReaderLease(SqliteDatabase& owner, std::unique_ptr<SqliteConnection> conn)
      : owner_(&owner), conn_(std::move(conn)) {}
  ReaderLease(ReaderLease&& other) noexcept = default;
  ReaderLease& operator=(ReaderLease&&) = delete;
  ReaderLease(const ReaderLease&) = delete;
  ~ReaderLease();

  SqliteConnection& operator*() const { return *conn_; }
  SqliteConnection* operator->() const { return conn_.get(); }

 private:
  SqliteDatabase* owner_;
  std::unique_ptr<SqliteConnection> conn_;
};

class SqliteWriteSession;

class SqliteDatabase final : public Database {
 public:
  // Opens (creating) the file, migrates it, starts the checkpointer.
  static common::Result<std::unique_ptr<SqliteDatabase>> open(const std::filesystem::path& path,
                                                              bool fsync);
  ~SqliteDatabase() override;

  WriteSession& writer() override;
  common::Result<std::unique_ptr<WebhookOutbox>> openOutbox() override;
  void stop() override;

  common::Result<std::vector<ServerSummary>> listServers() override;
  common::Result<std::optional<std::vector<ReportSummary>>> listReports(
      const std::string& ip, int limit, std::optional<common::Timestamp> before,
      std::optional<ListCursor> after) override;
  common::Result<std::optional<std::string>> reportDocument(const std::string& uuid) override;
  common::Result<Page<ProcessRunItem>> searchProcesses(const RunQuery& query) override;
  common::Result<Page<SessionRunItem>> searchSessions(const RunQuery& query) override;
  common::Result<ComplianceSummary> complianceSummary(std::int64_t stale_cutoff_us) override;
  common::Result<std::vector<HostComplianceItem>> complianceHosts(
      const HostComplianceQuery& query) override;
  common::Result<std::optional<std::vector<VerdictItem>>> hostCompliance(
      const std::string& ip) override;
  common::Result<std::optional<std::vector<VerdictRunItem>>> hostComplianceHistory(
      const std::string& ip, const VerdictRunQuery& query) override;
  common::Result<std::vector<TrendDay>> complianceTrend(common::Timestamp first_day,
                                                        common::Timestamp now,
                                                        std::chrono::seconds stale_after) override;

  // The trend counted from the reports alone, every day: what complianceTrend answers from
  // its cache, for the tests to compare.
  common::Result<std::vector<TrendDay>> complianceTrendUncached(common::Timestamp first_day,
                                                                common::Timestamp now,
                                                                std::chrono::seconds stale_after);

  common::Result<ReaderLease> reader();

 private:
  friend class ReaderLease;
  // Both trends: closed days from the cache when use_cache, every day counted otherwise.
  common::Result<std::vector<TrendDay>> countTrend(common::Timestamp first_day,
                                                   common::Timestamp now,
                                                   std::chrono::seconds stale_after,
                                                   bool use_cache);
  SqliteDatabase(std::filesystem::path path, bool fsync, std::unique_ptr<SqliteConnection> writer);
  void giveBack(std::unique_ptr<SqliteConnection> conn);

  std::filesystem::path path_;
  bool fsync_;
  std::unique_ptr<SqliteConnection> writer_conn_;
  // Before the writer, which tells it what it changed.
  TrendDayCache trend_days_;
  std::unique_ptr<SqliteWriteSession> writer_;
  // Declared after the writer's connection: destroyed first, so that connection closes last
  // (and SQLite then checkpoints and removes the log).
  std::unique_ptr<WalCheckpointer> checkpointer_;

  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
};

}  // namespace vigia::server
