#pragma once

// Copies SQLite's write-ahead log back into the database file on a thread and connection of
// its own. Left to itself, SQLite checkpoints inside the COMMIT that takes the log past 1,000
// pages: the storage writer then stops taking reports while it copies megabytes and fsyncs
// twice. Here the writer's commits only append to the log; this thread is told when the log
// has grown and runs a PASSIVE checkpoint, which never blocks the writer or the readers.

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

class WalCheckpointer {
 public:
  // Checkpoints once the log holds `pages_before_checkpoint` pages. `writer` must outlive this
  // object and make no more commits once it is destroyed.
  static common::Result<std::unique_ptr<WalCheckpointer>> start(
      const std::filesystem::path& db_path, bool fsync, SqliteConnection& writer,
      int pages_before_checkpoint = 1000);
  ~WalCheckpointer();  // finishes a checkpoint under way, then stops
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  std::uint64_t checkpoints() const;  // completed so far

 private:
  WalCheckpointer(std::unique_ptr<SqliteConnection> conn, SqliteConnection& writer, int pages);
  static int onCommit(void* self, sqlite3* db, const char* schema, int pages_in_log);
  void loop();

  std::unique_ptr<SqliteConnection> conn_;
  SqliteConnection& writer_;
  const int pages_before_checkpoint_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  bool failing_ = false;  // the checkpoint thread's own
  std::thread thread_;
};

}  // namespace vigia::server
