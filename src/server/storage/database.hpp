#pragma once

// The interface a SQL backend implements (SQLite in sqlite/; the same schema and queries are
// meant for PostgreSQL). Two sides:
// - the write side, WriteSession: used by the storage writer thread alone, one transaction per
//   batch of reports, with everything a batch writes (reports, derived tables, the export
//   checkpoint) as steps of that transaction;
// - the read side, ReadQueries: any thread, each call on a connection of its own.
// Nothing here knows HTTP or files; no SQL text leaves the backend.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time_util.hpp"
#include "common/validate.hpp"
#include "server/storage/compliance/compliance_writes.hpp"
#include "server/storage/compliance/webhook_outbox.hpp"
#include "server/storage/queries.hpp"
#include "server/storage/report_point.hpp"
#include "server/storage/report_store.hpp"
#include "server/storage/runs/run_table.hpp"

namespace vigia::server {

// A report the writer is about to store.
struct ReportToStore {
  const common::ValidatedReport& validated;
  std::string_view document_z;      // the stored document, compressed (document_codec.hpp)
  std::int64_t document_bytes = 0;  // its length before compression
  std::optional<std::int64_t> document_base_id;  // the report it is compressed against
  common::Timestamp received_at;
  std::string_view source_addr;
};

// Where it went.
struct StoredReport {
  const common::ValidatedReport& validated;
  std::int64_t host_id = 0;
  bool new_host = false;
  ReportPoint point;
};

class WriteSession : public HostTimeline {
 public:
  virtual common::Status begin() = 0;
  virtual common::Status commit() = 0;
  virtual void rollback() = 0;

  virtual common::Result<bool> isStored(const std::string& uuid) = 0;
  // The host, OS release and CPU model rows and the reports row. Derived tables come after,
  // from the derived steps, in the same transaction.
  virtual common::Result<StoredReport> insertReport(const ReportToStore& report) = 0;
  // The write side of the run tables (derived steps).
  virtual RunTable<common::Process>& processRuns() = 0;
  virtual RunTable<common::Session>& sessionRuns() = 0;
  // Verdict runs, rules, the webhook outbox (the compliance step).
  virtual ComplianceWrites& compliance() = 0;

  // The export checkpoint: each day file's durable state (path relative to the data dir):
  // its first `size` bytes are on disk and hold exactly the rows of the file's reports up to
  // report id `last_report_id`, in id order (docs/storage.md, "Consistency").
  struct FileCheckpoint {
    std::int64_t size = 0;
    std::int64_t last_report_id = 0;
  };
  virtual common::Result<std::map<std::string, FileCheckpoint>> fileCheckpoints() = 0;
  virtual common::Status recordFile(const std::string& path, const FileCheckpoint& checkpoint) = 0;
  virtual common::Status forgetFile(const std::string& path) = 0;

  // Every stored document of `ip` collected in the UTC day starting at `day` whose report id
  // is above `after_report_id`, in id order (the order of their rows in the day's files).
  virtual common::Status forEachDocumentOfDay(
      const std::string& ip, common::Timestamp day, std::int64_t after_report_id,
      const std::function<common::Status(std::int64_t report_id, std::string_view document)>&
          each) = 0;

  virtual common::Result<std::int64_t> countHosts() = 0;

  // Retention (docs/storage.md): the hosts with a report collected before `cutoff_us`.
  virtual common::Result<std::vector<std::int64_t>> hostsWithReportsBefore(
      std::int64_t cutoff_us) = 0;
  struct Expired {
    std::int64_t reports = 0;   // deleted
    bool more = false;          // older reports are left for the next step
    bool host_removed = false;  // no report was left: the host went, with its runs
    std::string ip;
  };
  // Deletes up to `max` of the host's reports collected before `cutoff_us`, oldest first, and
  // the runs no remaining report lists. A document stored against a deleted one is stored
  // whole instead. A host left with no report goes too.
  virtual common::Result<Expired> expireReports(std::int64_t host_id, std::int64_t cutoff_us,
                                                int max) = 0;
};

class Database : public ReadQueries {
 public:
  // The writer thread's session; the Database outlives it.
  virtual WriteSession& writer() = 0;
  // The webhook deliverer's outbox, on a connection of its own.
  virtual common::Result<std::unique_ptr<WebhookOutbox>> openOutbox() = 0;
  // Stops what the backend runs on its own (the SQLite WAL checkpointer); the writer makes no
  // more commits after this.
  virtual void stop() = 0;
};

struct DatabaseOptions {
  std::string url;  // "sqlite:<path>"
  bool fsync = true;
};

// Opens and migrates the database the URL names.
common::Result<std::unique_ptr<Database>> openDatabase(const DatabaseOptions& options);

}  // namespace vigia::server
