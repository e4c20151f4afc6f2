#include "server/storage/sqlite/sqlite_database.hpp"

#include <limits>

#include "server/storage/sqlite/document_chain.hpp"
#include "server/storage/sqlite/migrations.hpp"
#include "server/storage/sqlite/sqlite_webhook_outbox.hpp"
#include "server/storage/sqlite/sqlite_write_session.hpp"

namespace vigia::server {
namespace {

std::int64_t micros(common::Timestamp t) { return t.time_since_epoch().count(); }

// Read connections kept for reuse; more may be open at once, the rest are closed when given
// back.
constexpr std::size_t kPooledReaders = 8;

}  // namespace

ReaderLease::~ReaderLease() {
  if (conn_) owner_->giveBack(std::move(conn_));
}

SqliteDatabase::SqliteDatabase(std::filesystem::path path, bool fsync,
                               std::unique_ptr<SqliteConnection> writer)
    : path_(std::move(path)),
      fsync_(fsync),
      writer_conn_(std::move(writer)),
      writer_(std::make_unique<SqliteWriteSession>(*writer_conn_, trend_days_)) {}

SqliteDatabase::~SqliteDatabase() { stop(); }

common::Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(
    const std::filesystem::path& path, bool fsync) {
  auto conn = SqliteConnection::open(path, SqliteConnection::Mode::kReadWrite, fsync);
  if (!conn) return conn.error();
  if (auto st = migrate(**conn); !st) return st.error();
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path, fsync, std::move(*conn)));
  auto checkpointer = WalCheckpointer::start(path, fsync, *db->writer_conn_);
  if (!checkpointer) return checkpointer.error();
  db->checkpointer_ = std::move(*checkpointer);
  return db;
}

WriteSession& SqliteDatabase::writer() { return *writer_; }

common::Result<std::unique_ptr<WebhookOutbox>> SqliteDatabase::openOutbox() {
  auto conn = SqliteConnection::open(path_, SqliteConnection::Mode::kReadWrite, fsync_);
  if (!conn) return conn.error();
  return std::unique_ptr<WebhookOutbox>(std::make_unique<SqliteWebhookOutbox>(std::move(*conn)));
}

void SqliteDatabase::stop() { checkpointer_.reset(); }

common::Result<ReaderLease> SqliteDatabase::reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!readers_.empty()) {
      auto conn = std::move(readers_.back());
      readers_.pop_back();
      return ReaderLease(*this, std::move(conn));
    }
  }
  auto conn = SqliteConnection::open(path_, SqliteConnection::Mode::kReadOnly, fsync_);
  if (!conn) return conn.error();
  return ReaderLease(*this, std::move(*conn));
}

void SqliteDatabase::giveBack(std::unique_ptr<SqliteConnection> conn) {
  conn->resetStatements();
  std::lock_guard lock(readers_mutex_);
  if (readers_.size() < kPooledReaders) readers_.push_back(std::move(conn));
}

common::Result<std::vector<ServerSummary>> SqliteDatabase::listServers() {
  auto conn = reader();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare(
      "SELECT h.ip, h.hostname, o.name, o.version, h.last_report_at, h.report_count "
      "FROM hosts h JOIN os_releases o ON o.id = h.os_release_id ORDER BY h.ip");
  if (!stmt) return stmt.error();
  std::vector<ServerSummary> out;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*stmt)->text(0), (*stmt)->text(1), (*stmt)->text(2), (*stmt)->text(3),
                   (*stmt)->text(4), (*stmt)->int64(5)});
  }
  (*stmt)->reset();
  return out;
}

common::Result<std::optional<std::vector<ReportSummary>>> SqliteDatabase::listReports(
    const std::string& ip, int limit, std::optional<common::Timestamp> before,
    std::optional<ListCursor> after) {
  auto conn = reader();
  if (!conn) return conn.error();
  auto host = (*conn)->prepare("SELECT id FROM hosts WHERE ip = ?");
  if (!host) return host.error();
  auto found = (*host)->bind(1, ip).step();
  if (!found) return found.error();
  if (!*found) return std::optional<std::vector<ReportSummary>>();
  const std::int64_t host_id = (*host)->int64(0);
  (*host)->reset();
  auto stmt = (*conn)->prepare(
      "SELECT uuid, collected_at, process_count, session_count, collected_us, id FROM reports "
      "WHERE host_id = ? AND collected_us < ? AND (collected_us, id) < (?, ?) "
      "ORDER BY collected_us DESC, id DESC LIMIT ?");
  if (!stmt) return stmt.error();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  (*stmt)
      ->bind(1, host_id)
      .bind(2, before ? micros(*before) : kMax)
      .bind(3, after ? after->key : kMax)
      .bind(4, after ? after->id : kMax)
      .bind(5, limit);
  std::vector<ReportSummary> out;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*stmt)->text(0), (*stmt)->text(1), (*stmt)->int64(2), (*stmt)->int64(3),
                   (*stmt)->int64(4), (*stmt)->int64(5)});
  }
  (*stmt)->reset();
  return std::optional<std::vector<ReportSummary>>(std::move(out));
}

common::Result<std::optional<std::string>> SqliteDatabase::reportDocument(const std::string& uuid) {
  auto conn = reader();
  if (!conn) return conn.error();
  return DocumentChain(**conn).byUuid(uuid);
}

}  // namespace vigia::server
