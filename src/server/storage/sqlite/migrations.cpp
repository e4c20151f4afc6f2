#include "server/storage/sqlite/migrations.hpp"

#include <spdlog/spdlog.h>

#include "common/time_util.hpp"
#include "server/storage/sqlite/runs_from_child_rows.hpp"

namespace vigia::server {
namespace {

struct Migration {
  int version;
  const char* upgrade_note;  // said in the log when an existing database is brought up to it
  const char* sql;
  // Run after `sql`, then `sql_after`, all in the migration's transaction.
  common::Status (*build)(SqliteConnection&) = nullptr;
  const char* sql_after = "";
};

// Absent optional text is stored as '' in the dimension tables, because NULLs never conflict
// in a UNIQUE constraint and would store the same OS release twice.
constexpr Migration kMigrations[] = {
    {1, "", R"sql(
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL UNIQUE,
  hostname TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  last_report_at TEXT NOT NULL,
  last_collected_us BIGINT NOT NULL,
  os_release_id BIGINT NOT NULL,
  report_count BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE os_releases (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  os_id TEXT NOT NULL DEFAULT '',
  version_id TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL DEFAULT '',
  arch TEXT NOT NULL DEFAULT '',
  UNIQUE (name, version, os_id, version_id, kernel, arch)
);
CREATE TABLE cpu_models (
  id INTEGER PRIMARY KEY,
  vendor TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL,
  arch TEXT NOT NULL DEFAULT '',
  UNIQUE (vendor, model, arch)
);
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  host_id BIGINT NOT NULL REFERENCES hosts(id),
  hostname TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  collected_us BIGINT NOT NULL,
  received_at TEXT NOT NULL,
  source_addr TEXT NOT NULL,
  agent_version TEXT,
  os_release_id BIGINT NOT NULL REFERENCES os_releases(id),
  cpu_model_id BIGINT NOT NULL REFERENCES cpu_models(id),
  cpu_sockets BIGINT,
  cpu_cores BIGINT,
  cpu_threads BIGINT,
  cpu_mhz DOUBLE PRECISION,
  machine_id TEXT,
  boot_time TEXT,
  process_count BIGINT NOT NULL,
  session_count BIGINT NOT NULL,
  document_z BLOB NOT NULL,
  document_bytes BIGINT NOT NULL
);
CREATE INDEX reports_by_host_time ON reports (host_id, collected_us);
CREATE TABLE processes (
  report_id BIGINT NOT NULL REFERENCES reports(id),
  ordinal INTEGER NOT NULL,
  pid BIGINT NOT NULL,
  ppid BIGINT,
  name TEXT NOT NULL,
  user_name TEXT NOT NULL,
  uid BIGINT,
  state TEXT,
  command TEXT,
  started_at TEXT,
  rss_bytes BIGINT,
  cpu_seconds DOUBLE PRECISION,
  PRIMARY KEY (report_id, ordinal)
);
CREATE TABLE sessions (
  report_id BIGINT NOT NULL REFERENCES reports(id),
  ordinal INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  tty TEXT NOT NULL,
  remote_host TEXT,
  login_time TEXT,
  pid BIGINT,
  PRIMARY KEY (report_id, ordinal)
);
CREATE TABLE export_files (
  path TEXT PRIMARY KEY,
  size_bytes BIGINT NOT NULL
);
)sql"},
    // Child rows keyed by report_id * 1000000 + ordinal, the table's own rowid: a report's rows
    // are one key range, and the (report_id, ordinal) index that every row also went into
    // (50–75 µs of the writer's CPU per report, bench/README.md, 2026-11-30) is gone. The CHECK
    // keeps the key and the two columns from ever disagreeing, so the pair stays unique. On
    // PostgreSQL the key will have to be BIGINT: only INTEGER PRIMARY KEY is SQLite's rowid.
    {2,
     "processes and sessions keyed by report and ordinal; both tables are rewritten (a few seconds "
     "per million process rows; the old pages are reused by later reports)",
     R"sql(
CREATE TABLE processes_v2 (
  id INTEGER PRIMARY KEY,
  report_id BIGINT NOT NULL REFERENCES reports(id),
  ordinal INTEGER NOT NULL,
  pid BIGINT NOT NULL,
  ppid BIGINT,
  name TEXT NOT NULL,
  user_name TEXT NOT NULL,
  uid BIGINT,
  state TEXT,
  command TEXT,
  started_at TEXT,
  rss_bytes BIGINT,
  cpu_seconds DOUBLE PRECISION,
  CHECK (ordinal >= 0 AND ordinal < 1000000 AND id = report_id * 1000000 + ordinal)
);
INSERT INTO processes_v2 (id, report_id, ordinal, pid, ppid, name, user_name, uid, state,
                          command, started_at, rss_bytes, cpu_seconds)
  SELECT report_id * 1000000 + ordinal, report_id, ordinal, pid, ppid, name, user_name, uid,
         state, command, started_at, rss_bytes, cpu_seconds
  FROM processes ORDER BY report_id, ordinal;
DROP TABLE processes;
ALTER TABLE processes_v2 RENAME TO processes;
CREATE TABLE sessions_v2 (
  id INTEGER PRIMARY KEY,
  report_id BIGINT NOT NULL REFERENCES reports(id),
  ordinal INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  tty TEXT NOT NULL,
  remote_host TEXT,
  login_time TEXT,
  pid BIGINT,
  CHECK (ordinal >= 0 AND ordinal < 1000000 AND id = report_id * 1000000 + ordinal)
);
INSERT INTO sessions_v2 (id, report_id, ordinal, user_name, tty, remote_host, login_time, pid)
  SELECT report_id * 1000000 + ordinal, report_id, ordinal, user_name, tty, remote_host,
         login_time, pid
  FROM sessions ORDER BY report_id, ordinal;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
)sql"},
    // Schema 3, history at the cost of change (docs/storage.md, "Runs"): each process and
    // session is stored once per maximal stretch of a host's consecutive reports that list it;
    // processes and sessions become views giving each report's list. An open run (listed by
    // its host's newest report) has no last report and the largest BIGINT as last_seen_us, so
    // that "lasting until at least t" is one index range. The *_at columns are the times as
    // text, computed (virtual, not stored).
    {3,
     "processes and sessions become runs (process_runs, session_runs) and views; every report "
     "is kept; about a second per hundred thousand process rows",
     R"sql(
CREATE TABLE process_runs (
  id INTEGER PRIMARY KEY,
  host_id BIGINT NOT NULL REFERENCES hosts(id),
  pid BIGINT NOT NULL CHECK (pid > 0),
  ppid BIGINT,
  name TEXT NOT NULL,
  user_name TEXT NOT NULL,
  uid BIGINT,
  command TEXT,
  started_at TEXT,
  copy INTEGER NOT NULL DEFAULT 0 CHECK (copy >= 0),
  first_report_id BIGINT NOT NULL,  -- may be gone to retention (the run began before it)
  first_seen_us BIGINT NOT NULL,
  last_report_id BIGINT REFERENCES reports(id),
  last_seen_us BIGINT NOT NULL,
  first_seen_at TEXT GENERATED ALWAYS AS (
    strftime('%Y-%m-%dT%H:%M:%S', first_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', first_seen_us / 1000 % 1000)) VIRTUAL,
  last_seen_at TEXT GENERATED ALWAYS AS (CASE WHEN last_report_id IS NOT NULL THEN
    strftime('%Y-%m-%dT%H:%M:%S', last_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', last_seen_us / 1000 % 1000) END) VIRTUAL,
  CHECK (first_seen_us <= last_seen_us),
  CHECK ((last_report_id IS NULL) = (last_seen_us = 9223372036854775807))
);
CREATE TABLE session_runs (
  id INTEGER PRIMARY KEY,
  host_id BIGINT NOT NULL REFERENCES hosts(id),
  user_name TEXT NOT NULL,
  tty TEXT NOT NULL,
  remote_host TEXT,
  login_time TEXT,
  pid BIGINT,
  copy INTEGER NOT NULL DEFAULT 0 CHECK (copy >= 0),
  first_report_id BIGINT NOT NULL,  -- may be gone to retention (the run began before it)
  first_seen_us BIGINT NOT NULL,
  last_report_id BIGINT REFERENCES reports(id),
  last_seen_us BIGINT NOT NULL,
  first_seen_at TEXT GENERATED ALWAYS AS (
    strftime('%Y-%m-%dT%H:%M:%S', first_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', first_seen_us / 1000 % 1000)) VIRTUAL,
  last_seen_at TEXT GENERATED ALWAYS AS (CASE WHEN last_report_id IS NOT NULL THEN
    strftime('%Y-%m-%dT%H:%M:%S', last_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', last_seen_us / 1000 % 1000) END) VIRTUAL,
  CHECK (first_seen_us <= last_seen_us),
  CHECK ((last_report_id IS NULL) = (last_seen_us = 9223372036854775807))
);
)sql",
     &buildRunsFromChildRows,
     R"sql(
DROP TABLE processes;
DROP TABLE sessions;
-- The export checkpoint now lags behind the commits (docs/storage.md, "Consistency"): each
-- file's durable size and the last report whose rows it holds. Until now every recorded file
-- held every committed report of its day.
ALTER TABLE export_files ADD COLUMN last_report_id BIGINT NOT NULL DEFAULT 0;
-- A stored document is most often compressed against its host's previous one (NULL: a full
-- frame, as every document before schema 3).
ALTER TABLE reports ADD COLUMN document_base_id BIGINT REFERENCES reports(id);
UPDATE export_files SET last_report_id = (SELECT COALESCE(max(id), 0) FROM reports);
CREATE INDEX process_runs_by_host_end ON process_runs (host_id, last_seen_us);
CREATE INDEX process_runs_by_start ON process_runs (first_seen_us);
CREATE INDEX process_runs_by_name ON process_runs (name, first_seen_us);
CREATE INDEX session_runs_by_host_end ON session_runs (host_id, last_seen_us);
CREATE INDEX session_runs_by_start ON session_runs (first_seen_us);
CREATE INDEX session_runs_by_user ON session_runs (user_name, first_seen_us);
-- A report lists the runs of its host that cover it: first <= report <= last, in the order of
-- collected_at and, between reports collected at the same instant, of uuid.
CREATE VIEW processes AS
SELECT r.id AS report_id, p.id AS run_id, p.pid, p.ppid, p.name, p.user_name, p.uid,
       p.command, p.started_at
  FROM reports r JOIN process_runs p ON p.host_id = r.host_id
   AND p.last_seen_us >= r.collected_us AND p.first_seen_us <= r.collected_us
 WHERE (p.first_seen_us < r.collected_us OR p.first_report_id = r.id OR
        (SELECT f.uuid FROM reports f WHERE f.id = p.first_report_id) < r.uuid)
   AND (p.last_seen_us > r.collected_us OR p.last_report_id = r.id OR
        (SELECT l.uuid FROM reports l WHERE l.id = p.last_report_id) > r.uuid);
CREATE VIEW sessions AS
SELECT r.id AS report_id, s.id AS run_id, s.user_name, s.tty, s.remote_host, s.login_time,
       s.pid
  FROM reports r JOIN session_runs s ON s.host_id = r.host_id
   AND s.last_seen_us >= r.collected_us AND s.first_seen_us <= r.collected_us
 WHERE (s.first_seen_us < r.collected_us OR s.first_report_id = r.id OR
        (SELECT f.uuid FROM reports f WHERE f.id = s.first_report_id) < r.uuid)
   AND (s.last_seen_us > r.collected_us OR s.last_report_id = r.id OR
        (SELECT l.uuid FROM reports l WHERE l.id = s.last_report_id) > r.uuid);
)sql"},
    // Schema 4, compliance (docs/compliance.md): the rules a policy has named, each host's
    // verdict history as runs (one row per maximal stretch of a host's reports with the same
    // status on a rule, like the process runs), the webhook outbox, and what the server
    // remembers between starts (the digest of the policy the newest reports were judged with).
    {4, "compliance verdicts (compliance_rules, compliance_runs) and the webhook outbox", R"sql(
CREATE TABLE compliance_rules (
  id INTEGER PRIMARY KEY,
  rule TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical'))
);
CREATE TABLE compliance_runs (
  id INTEGER PRIMARY KEY,
  host_id BIGINT NOT NULL REFERENCES hosts(id),
  rule_id BIGINT NOT NULL REFERENCES compliance_rules(id),
  status TEXT NOT NULL
    CHECK (status IN ('pass', 'fail', 'waived', 'not_applicable', 'error')),
  evidence TEXT NOT NULL,  -- JSON array: of the run's newest report
  waiver TEXT,             -- JSON object, or NULL
  copy INTEGER NOT NULL DEFAULT 0 CHECK (copy = 0),
  first_report_id BIGINT NOT NULL,
  first_seen_us BIGINT NOT NULL,
  last_report_id BIGINT REFERENCES reports(id),
  last_seen_us BIGINT NOT NULL,
  first_seen_at TEXT GENERATED ALWAYS AS (
    strftime('%Y-%m-%dT%H:%M:%S', first_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', first_seen_us / 1000 % 1000)) VIRTUAL,
  last_seen_at TEXT GENERATED ALWAYS AS (CASE WHEN last_report_id IS NOT NULL THEN
    strftime('%Y-%m-%dT%H:%M:%S', last_seen_us / 1000000, 'unixepoch') ||
    printf('.%03dZ', last_seen_us / 1000 % 1000) END) VIRTUAL,
  CHECK (first_seen_us <= last_seen_us),
  CHECK ((last_report_id IS NULL) = (last_seen_us = 9223372036854775807))
);
CREATE INDEX compliance_runs_by_host_end ON compliance_runs (host_id, last_seen_us);
-- The current verdicts (each host's newest report): what the fleet view counts.
CREATE INDEX compliance_runs_current ON compliance_runs (rule_id, status, host_id)
  WHERE last_report_id IS NULL;
CREATE INDEX compliance_runs_current_by_host ON compliance_runs (host_id, status, rule_id)
  WHERE last_report_id IS NULL;
CREATE INDEX hosts_by_last_collected ON hosts (last_collected_us);
-- Set once a host's going stale has been announced to the webhooks.
ALTER TABLE hosts ADD COLUMN stale_announced INTEGER NOT NULL DEFAULT 0;
-- Whether the host's newest report fails a rule or has an error on one, and how many hosts'
-- newest reports have each status on each rule: kept by the writer as verdicts change, so
-- that the fleet view reads a few rows instead of every host's verdicts.
ALTER TABLE hosts ADD COLUMN failing INTEGER NOT NULL DEFAULT 0;
CREATE TABLE compliance_counts (
  rule_id BIGINT NOT NULL REFERENCES compliance_rules(id),
  status TEXT NOT NULL,
  hosts BIGINT NOT NULL CHECK (hosts >= 0),
  PRIMARY KEY (rule_id, status)
);
CREATE TABLE webhook_outbox (
  id INTEGER PRIMARY KEY,  -- delivery order
  webhook TEXT NOT NULL,   -- the receiver's URL
  event_id TEXT NOT NULL,  -- the same on every retry
  body TEXT NOT NULL,
  created_us BIGINT NOT NULL
);
CREATE INDEX webhook_outbox_by_webhook ON webhook_outbox (webhook, id);
CREATE TABLE server_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
};
common::Result<int> currentVersion(SqliteConnection& db) {
  if (auto st = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
      !st) {
    return st.error();
  }
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  const int version = static_cast<int>((*stmt)->int64(0));
  (*stmt)->reset();
  return version;
}

}  // namespace

common::Status migrate(SqliteConnection& db, int target_version) {
  auto version = currentVersion(db);
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return common::makeError(common::ErrorCode::kInvalidArgument,
                             "database schema version " + std::to_string(*version) +
                                 " is newer than this vigia-server knows (" +
                                 std::to_string(kSchemaVersion) + "); upgrade the server");
  }
  for (const auto& m : kMigrations) {
    if (m.version <= *version || m.version > target_version) continue;
    if (*version > 0) {
      spdlog::warn("upgrading the database to schema version {}: {}", m.version, m.upgrade_note);
    }
    if (auto st = db.exec("BEGIN IMMEDIATE"); !st) return st;
    auto st = db.exec(m.sql);
    if (st && m.build != nullptr) st = m.build(db);
    if (st) st = db.exec(m.sql_after);
    if (st) {
      auto insert = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
      if (!insert) {
        st = insert.error();
      } else {
        st =
            (*insert)->bind(1, m.version).bind(2, common::formatRfc3339Utc(common::nowUtc())).run();
      }
    }
    if (st) st = db.exec("COMMIT");
    if (!st) {
      db.resetStatements();
      (void)db.exec("ROLLBACK");
      auto error = st.error();
      error.message = "migration " + std::to_string(m.version) + ": " + error.message;
      return error;
    }
  }
  return common::Ok{};
}

}  // namespace vigia::server
