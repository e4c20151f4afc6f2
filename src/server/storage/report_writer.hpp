#pragma once

// The storage writer: one thread takes every accepted report from a bounded queue and stores
// the reports that arrived together as one batch (group commit): one transaction, one append
// per touched day file. It knows no SQL (that is the backend's, database.hpp) and no file
// format (the sinks', sinks/file_sink.hpp); with the day files' checkpoint (DayFileSet) it
// orders the steps so that "exactly once, in every store" holds through any failure or crash
// (docs/storage.md).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "server/storage/database.hpp"
#include "server/storage/derived_step.hpp"
#include "server/storage/document_bases.hpp"
#include "server/storage/maintenance.hpp"
#include "server/storage/report_store.hpp"
#include "server/storage/sinks/day_file_set.hpp"

namespace vigia::server {

struct WriterOptions {
  std::size_t max_batch_reports = 512;
  std::size_t max_queued_reports = 4096;
  MaintenanceOptions maintenance;
};

class ReportWriter {
 public:
  ReportWriter(Database& db, DayFileSet& files, std::vector<std::unique_ptr<DerivedStep>> steps,
               WriterOptions options);
  ~ReportWriter();  // stop()
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  // Crash recovery of the day files, then the writer thread.
  common::Status start();

  // See ReportStore::submit. Renders the report for every sink and compresses its document on
  // the calling thread, so the writer only writes.
  void submit(IngestItem item, std::function<void(StoreResult)> done);

  // Finishes every submitted report and syncs the day files, then stops the thread.
  // Idempotent.
  void stop();

  StoreStats stats() const { return {batches_.load(), known_servers_.load()}; }

 private:
  struct Pending;

  void loop();
  void processBatch(std::vector<Pending>& batch);
  // A transaction of nothing but the day files' checkpoints (when no report comes).
  void recordCheckpoints();

  Database& db_;
  DayFileSet& files_;
  DocumentBases bases_;
  std::unique_ptr<Maintenance> maintenance_;  // made in start(), run on the writer thread
  std::vector<std::unique_ptr<DerivedStep>> steps_;
  WriterOptions options_;
  bool needs_recovery_ = false;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  // Answered batches, destroyed by the submitting threads (submit takes one at a time): freeing
  // a batch's reports, thousands of strings, was a tenth of the writer's time.
  std::vector<std::vector<Pending>> answered_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::int64_t> known_servers_{0};
};

}  // namespace vigia::server
