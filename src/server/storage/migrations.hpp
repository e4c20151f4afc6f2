#pragma once

// Versioned schema migrations, applied by the server itself at start-up, each in its own
// transaction. The SQL is kept to what SQLite and PostgreSQL both accept.

#include "common/result.hpp"
#include "server/storage/sqlite_database.hpp"

namespace vigia::server {

inline constexpr int kSchemaVersion = 1;

// Brings the database to kSchemaVersion. A database newer than this binary is refused.
common::Status migrate(SqliteConnection& db);

}  // namespace vigia::server
