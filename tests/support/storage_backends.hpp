#pragma once

// The storage backends the storage tests run over: one suite, parameterized by backend
// (osquery's plugins/database/tests pattern). Each backend says how to name a database in a
// test's data dir and how the test reads a number back with SQL of its own.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vigia::test {

struct StorageBackend {
  std::string name;
  std::function<std::string(const std::filesystem::path& data_dir)> url;
  // The first column of the first row of `sql` (-1 if there is none or it fails).
  std::function<std::int64_t(const std::filesystem::path& data_dir, const std::string& sql)> scalar;
};

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

inline std::vector<StorageBackend> storageBackends() {
  return {{"sqlite",
           [](const std::filesystem::path& dir) { return "sqlite:" + (dir / "vigia.db").string(); },
           [](const std::filesystem::path& dir, const std::string& sql) {
             return sqliteScalar(dir / "vigia.db", sql);
           }}};
}

}  // namespace vigia::test
