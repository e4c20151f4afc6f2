#pragma once

// The storage backends the storage tests run over: one suite, parameterized by backend
// (osquery's plugins/database/tests pattern). Each backend says how to name a database in a
// test's data dir and how the test reads a number back with SQL of its own.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace vigia::test {

struct StorageBackend {
  std::string name;
  std::function<std::string(const std::filesystem::path& data_dir)> url;
  // The first column of the first row of `sql` (-1 if there is none or it fails).
  std::function<std::int64_t(const std::filesystem::path& data_dir, const std::string& sql)> scalar;
  // Every row of `sql`, each column as text ("NULL" for a null); one row {"error: …"} if it
  // fails.
  std::function<std::vector<std::vector<std::string>>(const std::filesystem::path& data_dir,
                                                      const std::string& sql)>
      rows;
};

// gtest names a backend by its name, not its bytes.
inline void PrintTo(const StorageBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::int64_t sqliteScalar(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

inline std::vector<std::vector<std::string>> sqliteRows(const std::filesystem::path& db_path,
                                                        const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = {{std::string("error: ") + sqlite3_errmsg(db)}};
  } else {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) out.push_back({std::string("error: ") + sqlite3_errmsg(db)});
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

inline std::vector<StorageBackend> storageBackends() {
  return {{"sqlite",
           [](const std::filesystem::path& dir) { return "sqlite:" + (dir / "vigia.db").string(); },
           [](const std::filesystem::path& dir, const std::string& sql) {
             return sqliteScalar(dir / "vigia.db", sql);
           },
           [](const std::filesystem::path& dir, const std::string& sql) {
             return sqliteRows(dir / "vigia.db", sql);
           }}};
}

}  // namespace vigia::test
