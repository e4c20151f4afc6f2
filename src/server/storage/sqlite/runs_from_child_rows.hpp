#pragma once

// Migration 3's middle step: schema 2's one row per process (session) of every report becomes
// process_runs (session_runs), each host's reports replayed oldest first through the same
// ledger that places new reports.

#include "common/result.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

common::Status buildRunsFromChildRows(SqliteConnection& db);

}  // namespace vigia::server
