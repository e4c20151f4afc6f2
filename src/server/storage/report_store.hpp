#pragma once

// The storage side of the server, as the API sees it: every accepted report lands, exactly
// once, in the SQL database (the source of truth) and in the day files of each file sink (CSV,
// JSON Lines). Nothing here knows HTTP.
//
// Writes go through one writer thread (group commit, report_writer.hpp): reports submitted
// concurrently share a transaction and one fsync per touched file. Reads use their own
// connections and may be called from any thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/time_util.hpp"
#include "common/validate.hpp"
#include "server/storage/compliance/compliance_options.hpp"
#include "server/storage/queries.hpp"

namespace vigia::server {

struct StoreOptions {
  std::filesystem::path data_dir = "./vigia-data";
  std::string database_url;       // "sqlite:<path>"; empty: sqlite:<data_dir>/vigia.db
  bool csv_formula_guard = true;  // docs/storage.md: prefix ' to cells starting with = + - @ TAB CR
  bool csv = true;                // the file sinks; the database cannot be turned off
  bool jsonl = true;
  std::string compress = "zstd";  // closed days: "zstd", "gzip" or "none"
  int compress_after_hours = 24;  // after its UTC day ends, a day's files wait this long
  int retention_days = 0;         // reports, runs and day files older go; 0 keeps everything
  bool fsync = true;              // false only for benchmarks/tests of the ceiling
  std::size_t max_batch_reports = 512;
  std::size_t max_queued_reports = 4096;  // beyond this submit() answers kUnavailable at once
  ComplianceOptions compliance;
};

struct ActivePolicy;
class WebhookOutbox;

struct IngestItem {
  common::ValidatedReport validated;
  std::string body;  // the request body as received (decompressed), valid JSON
  common::Timestamp received_at;
  std::string source_addr;  // peer IP, canonical
};

enum class StoreOutcome { kStored, kDuplicate, kUnavailable };

struct StoreResult {
  StoreOutcome outcome = StoreOutcome::kUnavailable;
  std::string detail;  // for kUnavailable: why (logged, and sent as the 503 detail)
};

// What the store alone knows; reports stored, duplicates and errors are counted by Metrics.
struct StoreStats {
  std::uint64_t batches = 0;  // transactions committed
  std::int64_t known_servers = 0;
};

class ReportStore {
 public:
  // Creates the data dir, opens and migrates the database, then brings the day files back in
  // line with it (crash recovery) before returning (storage.cpp).
  static common::Result<std::unique_ptr<ReportStore>> open(const StoreOptions& options);

  virtual ~ReportStore() = default;

  // Thread-safe and non-blocking. `done` runs exactly once, on the writer thread, after the
  // report is durable in every store (kStored), was already stored (kDuplicate), or could not
  // be stored at all (kUnavailable: nothing of it remains anywhere; safe to retry).
  virtual void submit(IngestItem item, std::function<void(StoreResult)> done) = 0;

  // Finishes every submitted report, then stops the writer. Idempotent.
  virtual void stop() = 0;

  // The GET API's queries (queries.hpp). Report ids given to them must be canonical (lower
  // case).
  virtual ReadQueries& queries() = 0;

  virtual StoreStats stats() = 0;

  // The policy every report is judged with from now on (SIGHUP): installed between batches,
  // then each host's newest report is judged again. Null: no rules.
  virtual void setPolicy(std::shared_ptr<const compliance::Policy> policy) = 0;
  // The policy installed last, with when it was loaded (never null once open() returned).
  virtual std::shared_ptr<const ActivePolicy> activePolicy() = 0;
  // The webhook outbox (the deliverer's, on a connection of its own).
  virtual common::Result<std::unique_ptr<WebhookOutbox>> openOutbox() = 0;
  // What the fleet view counts a host stale after (compliance.stale_after_seconds).
  virtual std::chrono::seconds staleAfter() const = 0;
};

}  // namespace vigia::server
