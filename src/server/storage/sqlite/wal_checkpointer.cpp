#include "server/storage/sqlite/wal_checkpointer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace vigia::server {

common::Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(
    const std::filesystem::path& db_path, bool fsync, SqliteConnection& writer,
    int pages_before_checkpoint) {
  auto conn = SqliteConnection::open(db_path, SqliteConnection::Mode::kReadWrite, fsync);
  if (!conn) return conn.error();
  std::unique_ptr<WalCheckpointer> self(
      new WalCheckpointer(std::move(*conn), writer, pages_before_checkpoint));
  // Replaces SQLite's own automatic checkpoint on the writer's connection (itself a WAL hook),
  // so the writer never checkpoints.
  sqlite3_wal_hook(writer.handle(), &WalCheckpointer::onCommit, self.get());
  self->thread_ = std::thread([s = self.get()] { s->loop(); });
  return self;
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteConnection> conn, SqliteConnection& writer,
                                 int pages)
    : conn_(std::move(conn)), writer_(writer), pages_before_checkpoint_(pages) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

int WalCheckpointer::onCommit(void* self, sqlite3*, const char*, int pages_in_log) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (pages_in_log >= checkpointer->pages_before_checkpoint_) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::loop() {
  ::pthread_setname_np(::pthread_self(), "vigia-ckpt");
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    int log_pages = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(conn_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                             &log_pages, &copied);
    // SQLITE_BUSY: another checkpoint is running. A full disk or an I/O error: the log still
    // holds every committed report, and the next commit asks again. Said once when it starts
    // failing and once when it works again, not on every commit.
    const bool failed = rc != SQLITE_OK && rc != SQLITE_BUSY;
    if (failed && !failing_) {
      spdlog::error("WAL checkpoint failed (retried on every commit): {}", sqlite3_errstr(rc));
    } else if (rc == SQLITE_OK && failing_) {
      spdlog::info("WAL checkpoint works again");
    }
    if (rc != SQLITE_BUSY) failing_ = failed;
    lock.lock();
    if (rc == SQLITE_OK) ++checkpoints_;
  }
}

}  // namespace vigia::server
