#pragma once

// The storage's housekeeping, in small steps on the writer thread between batches, so that it
// never holds ingest up for long (docs/storage.md):
// - closed days are compressed (docs/storage.md): a compressor thread of its own, at a low CPU
//   priority, writes each due day's compressed copy; the writer then switches to it
//   (DayFileSet::finishCompression). Checked at start, every 30 s, and as soon as a report
//   lands in a day that is already due.
// - retention: at start and hourly, reports collected more than retention_days ago go, a
//   couple of hundred at a time, then the day files of days before the cutoff.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/time_util.hpp"
#include "server/storage/database.hpp"
#include "server/storage/sinks/day_file_set.hpp"

namespace vigia::server {

struct MaintenanceOptions {
  DayCompression compression = DayCompression::kZstd;
  std::chrono::hours compress_after{24};
  int retention_days = 0;  // 0: keep everything
};

class Maintenance {
 public:
  // Told of every host retention removes, with its id and IP (the writer's caches forget it).
  using HostRemoved = std::function<void(std::int64_t host_id, const std::string& ip)>;

  Maintenance(Database& db, DayFileSet& files, MaintenanceOptions options,
              HostRemoved host_removed);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // One bounded piece of whatever is due. Writer thread only.
  void step();
  // A report landed in a day that may already be due: look again now.
  void dayMayBeDue() { next_compression_check_ = {}; }
  // True while retention has steps left in its pass (the writer then calls step() sooner).
  bool busy() const { return !retention_hosts_.empty() || retention_files_pending_; }

 private:
  struct Compressed {
    DayFileSet::CompressionJob job;
    common::Result<std::int64_t> size;
  };

  void compressLoop();
  static common::Result<std::int64_t> compress(const DayFileSet::CompressionJob& job);
  void retentionStep();

  Database& db_;
  DayFileSet& files_;
  MaintenanceOptions options_;
  HostRemoved host_removed_;

  std::chrono::steady_clock::time_point next_compression_check_{};
  std::chrono::steady_clock::time_point next_retention_{};
  std::deque<std::int64_t> retention_hosts_;
  bool retention_files_pending_ = false;
  common::Timestamp retention_cutoff_{};
  std::int64_t retention_removed_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<DayFileSet::CompressionJob> job_;  // for the compressor
  std::vector<Compressed> done_;                   // from it
  bool compressing_ = false;
  bool stopping_ = false;
  std::thread compressor_;
};

}  // namespace vigia::server
