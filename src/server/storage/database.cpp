#include "server/storage/database.hpp"

#include "server/storage/sqlite/sqlite_database.hpp"

namespace vigia::server {

common::Result<std::unique_ptr<Database>> openDatabase(const DatabaseOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (options.url.starts_with(kSqlite)) {
    auto db = SqliteDatabase::open(options.url.substr(kSqlite.size()), options.fsync);
    if (!db) return db.error();
    return std::unique_ptr<Database>(std::move(*db));
  }
  return common::makeError(common::ErrorCode::kInvalidArgument,
                           "unsupported database URL scheme (expected sqlite:PATH)");
}

}  // namespace vigia::server
