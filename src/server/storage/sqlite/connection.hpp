#pragma once

// A thin RAII layer over libsqlite3: one connection, cached prepared statements, errors as
// common::Error. Values are only ever bound, never spliced into SQL text.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"

namespace vigia::server {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bindNull(int index);
  Statement& bindBlob(int index, std::string_view bytes);
  // Bound in place, not copied (SQLITE_STATIC): for the hot insert loops, where copying every
  // string of 300 process rows costs a malloc and a free each. The bytes must stay alive and
  // unchanged until reset().
  Statement& bindView(int index, std::string_view value);
  Statement& bindView(int index, const std::string& value) {
    return bindView(index, std::string_view(value));
  }
  Statement& bindView(int index, const std::optional<std::string>& value) {
    return value ? bindView(index, std::string_view(*value)) : bindNull(index);
  }
  Statement& bindBlobView(int index, std::string_view bytes);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }

  // true: a row is available; false: done. Errors carry SQLite's message.
  common::Result<bool> step();
  // Runs to completion, discarding rows, and resets (bindings cleared).
  common::Status run();
  void reset();

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  bool isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int columns() const { return sqlite3_column_count(stmt_); }
  std::string text(int column) const;
  std::string blob(int column) const;

 private:
  friend class SqliteConnection;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // kReadWrite creates the file and sets WAL; `fsync` false sets synchronous=OFF.
  static common::Result<std::unique_ptr<SqliteConnection>> open(const std::filesystem::path& path,
                                                                Mode mode, bool fsync);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  common::Status exec(const std::string& sql);
  // Prepared once per SQL text and reused; the statement is reset and its bindings cleared.
  common::Result<Statement*> prepare(const std::string& sql);

  // Resets every prepared statement, ending any read a statement left open (an early return
  // between step and reset): a connection goes back to its pool with no transaction.
  void resetStatements();

  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // For what this wrapper does not cover (WAL hooks and checkpoints).
  sqlite3* handle() const { return db_; }
  common::Error lastError(const std::string& context) const;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// Steps `stmt` through every row, calling `row(stmt)` for each, and resets it on every path.
template <typename Row>
common::Status eachRow(Statement& stmt, Row&& row) {
  while (true) {
    auto more = stmt.step();
    if (!more) {
      stmt.reset();
      return more.error();
    }
    if (!*more) break;
    row(stmt);
  }
  stmt.reset();
  return common::Ok{};
}

// SQLite result codes that mean "the storage cannot take writes now" (disk full, read-only,
// I/O error, locked): a 503, retryable.
common::Error sqliteError(sqlite3* db, int rc, const std::string& context);

}  // namespace vigia::server
