#pragma once

// Every day file of every sink as the storage writer sees them (docs/storage.md,
// "Consistency"). The database is the truth and holds every stored report; the day files are
// written from it, and the export checkpoint (export_files) says how much of each file is
// durable: its first `size` bytes, holding exactly its reports up to `last_report_id`.
//
// - A batch appends its reports' rows to their files (write, no fsync) while the writer inserts
//   them in SQL; the answer waits only for the database's commit.
// - A sync thread makes the files durable in the background, about once a second; the next
//   transaction moves their checkpoints forward.
// - Recovery (at start, and after a failure) cuts each file back to its checkpoint and writes
//   again, from the stored documents, the rows of its reports after `last_report_id`; a file
//   shorter than its checkpoint is rebuilt whole; a file the checkpoint does not know is
//   removed. After kill -9 or power loss every committed report is in every file exactly once.
//
// Only the writer thread calls this (the sync thread touches nothing but its own descriptors).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "server/storage/database.hpp"
#include "server/storage/sinks/day_compression.hpp"
#include "server/storage/sinks/day_files.hpp"
#include "server/storage/sinks/file_sink.hpp"

namespace vigia::server {

// A sink and the files it writes to.
struct SinkFiles {
  std::unique_ptr<FileSink> sink;
  DayFiles files;
};

class DayFileSet {
 public:
  using Checkpoint = WriteSession::FileCheckpoint;

  // `fsync` false: nothing is ever synced (benchmarks of the ceiling); the checkpoints still
  // move, so recovery behaves the same.
  DayFileSet(std::vector<SinkFiles> sinks, bool fsync);
  ~DayFileSet();
  DayFileSet(const DayFileSet&) = delete;
  DayFileSet& operator=(const DayFileSet&) = delete;

  std::size_t sinkCount() const { return sinks_.size(); }
  const FileSink& sink(std::size_t i) const { return *sinks_[i].sink; }

  // Creates the directories, then brings every file in line with the database.
  common::Status recover(WriteSession& db);

  // One batch's appends: each file's pieces in batch order.
  class Batch {
   public:
    // Report number `report` of the batch (its index among the accepted) adds `rows` to the
    // file of `sink` for `name` ("<IP>_<date>"). `rows` must outlive the batch.
    void add(std::size_t sink, const std::string& path, DayCompression compression,
             std::size_t report, std::string_view rows);
    bool empty() const { return appends_.empty(); }

   private:
    friend class DayFileSet;
    struct Append {
      std::size_t sink;
      std::string path;
      DayCompression compression;
      std::vector<std::string_view> pieces;
      std::vector<std::size_t> reports;
      std::int64_t size_before = 0;
      std::int64_t size_after = 0;
      std::int64_t last_report_id = 0;
      bool written = false;  // attempted: a rollback cuts it back to size_before
    };
    std::vector<Append> appends_;
    std::unordered_map<std::string, std::size_t> index_;
  };

  // Where sink `sink`'s rows of a report for `name` go: the day's compressed file if it has
  // one (a late report), else the plain file.
  std::pair<std::string, DayCompression> target(std::size_t sink, std::string_view name) const;

  // Appends every file of the batch, one helper thread per sink.
  common::Status write(Batch& batch);
  // In the batch's transaction, once `report_ids[i]` is the id of accepted report i: new files
  // get their checkpoint row (empty, so that recovery knows to fill them), and the syncs done
  // since the last batch move their checkpoints.
  common::Status record(WriteSession& db, Batch& batch, std::span<const std::int64_t> report_ids);
  void committed(const Batch& batch);
  // Cuts every file back to where it was before the batch; false if that failed (then only
  // recovery can repair the files).
  bool rolledBack(const Batch& batch);

  // Hands the files written since their last sync to the sync thread, if a second has passed
  // and no sync is under way.
  void maybeSync();
  // Syncs everything now and records it (a clean stop: the next start has nothing to redo).
  common::Status syncAll(WriteSession& db);
  bool hasSyncResults();

  // Closed days (docs/storage.md). A plain day file whose UTC day ended at least `after` ago is
  // due; the compressor (maintenance.cpp) writes its compressed copy beside it from a snapshot,
  // then the switch happens here, on the writer, in a transaction of its own:
  // rename the copy into place, record it and forget the plain file, commit, remove the plain
  // file. A crash anywhere in between leaves one of the two recorded and whole; recovery
  // removes the other (docs/storage.md).
  struct CompressionJob {
    std::string path;      // the plain file, relative
    std::string absolute;  // the plain file
    std::string target;    // the compressed file, relative
    std::string target_absolute;
    DayCompression compression = DayCompression::kNone;
    Checkpoint snapshot;  // the compressed copy holds exactly these bytes of the plain file
    std::uint64_t generation = 0;
  };
  std::vector<CompressionJob> dueForCompression(common::Timestamp now, std::chrono::hours after,
                                                DayCompression compression, std::size_t max);
  // `compressed_size`: the copy's size, written and fsynced at job.target_absolute + ".tmp".
  // The switch is skipped (and the copy removed) when the plain file changed since.
  common::Status finishCompression(WriteSession& db, const CompressionJob& job,
                                   std::int64_t compressed_size);
  void abandonCompression(const CompressionJob& job);

  // Retention: removes every day file whose day ended before `cutoff`, in a transaction of its
  // own. Returns how many went.
  common::Result<std::size_t> removeDaysBefore(WriteSession& db, common::Timestamp cutoff);

 private:
  struct FileState {
    std::size_t sink = 0;
    Checkpoint recorded;  // as export_files says: durable
    Checkpoint written;   // after the last committed batch
    bool has_row = false;
    bool created = false;          // since its last sync: the directory entry needs an fsync too
    std::uint64_t generation = 0;  // a sync started before a rewrite is not recorded
    std::int64_t day_end_us = 0;   // when its UTC day ended
    bool compressing = false;
  };
  FileState newState(std::size_t sink, const std::string& relative, const Checkpoint& cp);
  struct SyncTarget {
    std::string path;      // relative to the data dir, as in files_
    std::string absolute;  // what the sync thread opens
    Checkpoint checkpoint;
    std::uint64_t generation;
    bool created;
  };
  struct SyncResult {
    std::string path;
    Checkpoint checkpoint;
    std::uint64_t generation;
    bool ok;
  };

  common::Status appendSink(std::size_t sink, std::span<Batch::Append*> appends);
  common::Status redo(WriteSession& db, SinkFiles& sink, const std::string& relative,
                      Checkpoint& checkpoint, bool rebuild);
  common::Status recordSyncs(WriteSession& db, std::vector<SyncResult>& applied);
  void syncLoop();

  std::vector<SinkFiles> sinks_;
  bool fsync_;
  std::unordered_map<std::string, FileState> files_;
  std::vector<SyncResult> pending_records_;  // applied by record() in the current transaction
  std::chrono::steady_clock::time_point last_sync_{};

  std::mutex sync_mutex_;
  std::condition_variable sync_cv_;
  std::vector<SyncTarget> sync_targets_;
  std::vector<SyncResult> sync_results_;
  bool sync_busy_ = false;
  bool stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace vigia::server
