#pragma once

// Versioned schema migrations, applied by the server itself at start-up, each in its own
// transaction. The SQL is kept to what SQLite and PostgreSQL both accept.

#include <cstdint>

#include "common/result.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

inline constexpr int kSchemaVersion = 4;

// Schema 2's processes.id and sessions.id: report_id * kChildRowsPerReport + ordinal.
inline constexpr std::int64_t kChildRowsPerReport = 1'000'000;

// Brings the database to kSchemaVersion (tests stop earlier, to build an older database and
// migrate it). A database newer than this binary is refused.
common::Status migrate(SqliteConnection& db, int target_version = kSchemaVersion);

}  // namespace vigia::server
