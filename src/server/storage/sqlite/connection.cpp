#include "server/storage/sqlite/connection.hpp"

#include <mutex>

namespace vigia::server {

using common::ErrorCode;
using common::makeError;

common::Error sqliteError(sqlite3* db, int rc, const std::string& context) {
  const int primary = rc & 0xFF;
  const bool unavailable = primary == SQLITE_FULL || primary == SQLITE_IOERR ||
                           primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN ||
                           primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
                           primary == SQLITE_NOMEM || primary == SQLITE_PROTOCOL;
  std::string message = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return makeError(unavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                   std::move(message));
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries may be bound safely.
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bindView(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bindBlobView(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

common::Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) {
    return sqliteError(sqlite3_db_handle(stmt_), bind_error_, "bind");
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqliteError(sqlite3_db_handle(stmt_), rc, "step");
}

common::Status Statement::run() {
  // Reset at the end, on every path: a statement left done is refused by the next bind.
  while (true) {
    auto r = step();
    if (!r || !*r) {
      reset();
      if (!r) return r.error();
      return common::Ok{};
    }
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (!p) return {};
  return std::string(static_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

common::Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::filesystem::path& path, Mode mode, bool fsync) {
  // Memory statistics take a global mutex on every SQLite malloc and free, thousands per
  // report; nothing here reads them. Only possible before SQLite initializes (else MISUSE,
  // harmless: the statistics merely stay on).
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  const int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    auto error = sqliteError(db, rc, "open " + path.string());
    sqlite3_close(db);
    return error;
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  const std::string pragmas =
      mode == Mode::kReadOnly
          ? "PRAGMA foreign_keys=ON;"
          // No foreign-key enforcement on the writer: it is the only writer and inserts a
          // report's rows right after the report, in one transaction; checking the parent for
          // each of 300 process rows was an eighth of its time.
          : std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF; PRAGMA synchronous=") +
                (fsync ? "FULL;" : "OFF;");
  if (auto st = conn->exec(pragmas); !st) return st.error();
  return conn;
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();  // finalize (below) before closing
  sqlite3_close_v2(db_);
}

common::Status SqliteConnection::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    auto error = sqliteError(nullptr, rc, "exec");
    error.message = "exec: " + text;
    return error;
  }
  return common::Ok{};
}

common::Result<Statement*> SqliteConnection::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqliteError(db_, rc, "prepare");
    it = statements_.emplace(sql, std::make_unique<Statement>(stmt)).first;
  }
  it->second->reset();
  return it->second.get();
}

void SqliteConnection::resetStatements() {
  for (auto& [sql, stmt] : statements_) stmt->reset();
}

common::Error SqliteConnection::lastError(const std::string& context) const {
  return sqliteError(db_, sqlite3_errcode(db_), context);
}

}  // namespace vigia::server
