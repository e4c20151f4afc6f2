#include "server/storage/sqlite/sqlite_write_session.hpp"

#include <unordered_set>

#include "server/storage/document_bases.hpp"
#include "server/storage/document_codec.hpp"
#include "server/storage/sqlite/document_chain.hpp"
#include "server/storage/sqlite/migrations.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

std::int64_t micros(common::Timestamp t) { return t.time_since_epoch().count(); }

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

}  // namespace

common::Status SqliteWriteSession::begin() { return db_.exec("BEGIN IMMEDIATE"); }

common::Status SqliteWriteSession::commit() {
  auto st = db_.exec("COMMIT");
  // Told even if the commit failed: counting a day again is never wrong.
  trend_.committed();
  return st;
}

void SqliteWriteSession::rollback() {
  (void)db_.exec("ROLLBACK");
  os_ids_.clear();
  cpu_ids_.clear();
  process_runs_.rolledBack();
  session_runs_.rolledBack();
  compliance_.rolledBack();
  trend_.rolledBack();
}

common::Result<bool> SqliteWriteSession::isStored(const std::string& uuid) {
  auto exists = db_.prepare("SELECT 1 FROM reports WHERE uuid = ?");
  if (!exists) return exists.error();
  auto found = (*exists)->bind(1, uuid).step();
  (*exists)->reset();
  return found;
}

common::Result<std::int64_t> SqliteWriteSession::dimensionId(
    const std::string& insert_sql, const std::string& select_sql,
    const std::vector<std::string>& values, std::unordered_map<std::string, std::int64_t>& cache) {
  std::string cache_key;
  for (const auto& v : values) cache_key.append(v).push_back('\0');
  if (auto it = cache.find(cache_key); it != cache.end()) return it->second;
  auto insert = db_.prepare(insert_sql);
  if (!insert) return insert.error();
  for (std::size_t i = 0; i < values.size(); ++i)
    (*insert)->bind(static_cast<int>(i + 1), values[i]);
  if (auto st = (*insert)->run(); !st) return st.error();
  auto select = db_.prepare(select_sql);
  if (!select) return select.error();
  for (std::size_t i = 0; i < values.size(); ++i)
    (*select)->bind(static_cast<int>(i + 1), values[i]);
  auto row = (*select)->step();
  if (!row) return row.error();
  if (!*row) return makeError(ErrorCode::kInternal, "dimension row vanished");
  const std::int64_t id = (*select)->int64(0);
  (*select)->reset();
  cache.emplace(std::move(cache_key), id);
  return id;
}

common::Result<StoredReport> SqliteWriteSession::insertReport(const ReportToStore& in) {
  const common::Report& r = in.validated.report;
  auto os_id = dimensionId(
      "INSERT INTO os_releases (name, version, os_id, version_id, kernel, arch) VALUES "
      "(?,?,?,?,?,?) ON CONFLICT DO NOTHING",
      "SELECT id FROM os_releases WHERE name=? AND version=? AND os_id=? AND version_id=? AND "
      "kernel=? AND arch=?",
      {r.os.name, r.os.version, r.os.id.value_or(""), r.os.version_id.value_or(""),
       r.os.kernel.value_or(""), r.os.arch.value_or("")},
      os_ids_);
  if (!os_id) return os_id.error();
  auto cpu_id = dimensionId(
      "INSERT INTO cpu_models (vendor, model, arch) VALUES (?,?,?) ON CONFLICT DO NOTHING",
      "SELECT id FROM cpu_models WHERE vendor=? AND model=? AND arch=?",
      {r.cpu.vendor.value_or(""), r.cpu.model, r.cpu.arch.value_or("")}, cpu_ids_);
  if (!cpu_id) return cpu_id.error();

  // The host row follows its newest report (by collected_at), whatever the arrival order.
  const std::int64_t collected_us = micros(in.validated.collected_at);
  trend_.touched(collected_us);
  const std::string received_at = common::formatRfc3339Utc(in.received_at);
  auto host = db_.prepare(
      "INSERT INTO hosts (ip, hostname, first_seen_at, last_report_at, last_collected_us, "
      "os_release_id, report_count) VALUES (?,?,?,?,?,?,1) "
      "ON CONFLICT (ip) DO UPDATE SET report_count = hosts.report_count + 1, "
      "hostname = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.hostname ELSE hosts.hostname END, "
      "os_release_id = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.os_release_id ELSE hosts.os_release_id END, "
      "last_report_at = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.last_report_at ELSE hosts.last_report_at END, "
      "last_collected_us = MAX(excluded.last_collected_us, hosts.last_collected_us) "
      "RETURNING id, report_count");
  if (!host) return host.error();
  auto host_row = (*host)
                      ->bind(1, r.host.ip)
                      .bind(2, r.host.hostname)
                      .bind(3, received_at)
                      .bind(4, r.collected_at)
                      .bind(5, collected_us)
                      .bind(6, *os_id)
                      .step();
  if (!host_row) return host_row.error();
  const std::int64_t host_id = (*host)->int64(0);
  const bool new_host = (*host)->int64(1) == 1;
  (*host)->reset();

  auto report = db_.prepare(
      "INSERT INTO reports (uuid, host_id, hostname, collected_at, collected_us, received_at, "
      "source_addr, agent_version, os_release_id, cpu_model_id, cpu_sockets, cpu_cores, "
      "cpu_threads, cpu_mhz, machine_id, boot_time, process_count, session_count, document_z, "
      "document_bytes, document_base_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
      "RETURNING id");
  if (!report) return report.error();
  std::optional<std::string> agent_version;
  if (!r.agent.version.empty()) agent_version = r.agent.version;
  auto report_row = (*report)
                        ->bind(1, r.report_id)
                        .bind(2, host_id)
                        .bind(3, r.host.hostname)
                        .bind(4, r.collected_at)
                        .bind(5, collected_us)
                        .bind(6, received_at)
                        .bind(7, in.source_addr)
                        .bind(8, agent_version)
                        .bind(9, *os_id)
                        .bind(10, *cpu_id)
                        .bind(11, r.cpu.sockets)
                        .bind(12, r.cpu.cores)
                        .bind(13, r.cpu.threads)
                        .bind(14, r.cpu.mhz)
                        .bind(15, r.host.machine_id)
                        .bind(16, r.host.boot_time)
                        .bind(17, static_cast<std::int64_t>(r.processes.size()))
                        .bind(18, static_cast<std::int64_t>(r.sessions.size()))
                        .bindBlobView(19, in.document_z)
                        .bind(20, in.document_bytes)
                        .bind(21, in.document_base_id)
                        .step();
  if (!report_row) return report_row.error();
  const std::int64_t report_id = (*report)->int64(0);
  (*report)->reset();
  return StoredReport{in.validated, host_id, new_host, {report_id, collected_us, r.report_id}};
}

common::Result<std::optional<ReportPoint>> SqliteWriteSession::latestReport(
    std::int64_t host_id, std::int64_t excluding) {
  auto stmt = db_.prepare(
      "SELECT id, collected_us, uuid FROM reports WHERE host_id = ? AND id != ? "
      "ORDER BY collected_us DESC, uuid DESC LIMIT 1");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->bind(1, host_id).bind(2, excluding).step();
  if (!row) return row.error();
  std::optional<ReportPoint> point;
  if (*row) point = ReportPoint{(*stmt)->int64(0), (*stmt)->int64(1), (*stmt)->text(2)};
  (*stmt)->reset();
  return point;
}

common::Result<HostTimeline::Neighbors> SqliteWriteSession::neighbors(std::int64_t host_id,
                                                                      const ReportPoint& point) {
  Neighbors out;
  for (const bool before : {true, false}) {
    auto stmt = db_.prepare(
        before ? "SELECT id, collected_us, uuid FROM reports WHERE host_id = ? AND "
                 "(collected_us, uuid) < (?, ?) ORDER BY collected_us DESC, uuid DESC LIMIT 1"
               : "SELECT id, collected_us, uuid FROM reports WHERE host_id = ? AND "
                 "(collected_us, uuid) > (?, ?) ORDER BY collected_us, uuid LIMIT 1");
    if (!stmt) return stmt.error();
    auto row = (*stmt)->bind(1, host_id).bind(2, point.collected_us).bind(3, point.uuid).step();
    if (!row) return row.error();
    if (*row) {
      (before ? out.before : out.after) =
          ReportPoint{(*stmt)->int64(0), (*stmt)->int64(1), (*stmt)->text(2)};
    }
    (*stmt)->reset();
  }
  return out;
}

common::Result<std::map<std::string, WriteSession::FileCheckpoint>>
SqliteWriteSession::fileCheckpoints() {
  auto rows = db_.prepare("SELECT path, size_bytes, last_report_id FROM export_files");
  if (!rows) return rows.error();
  std::map<std::string, FileCheckpoint> recorded;
  while (true) {
    auto row = (*rows)->step();
    if (!row) return row.error();
    if (!*row) break;
    recorded[(*rows)->text(0)] = {(*rows)->int64(1), (*rows)->int64(2)};
  }
  (*rows)->reset();
  return recorded;
}

common::Status SqliteWriteSession::recordFile(const std::string& path,
                                              const FileCheckpoint& checkpoint) {
  auto stmt = db_.prepare(
      "INSERT INTO export_files (path, size_bytes, last_report_id) VALUES (?, ?, ?) "
      "ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes, "
      "last_report_id = excluded.last_report_id");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, path).bind(2, checkpoint.size).bind(3, checkpoint.last_report_id).run();
}

common::Status SqliteWriteSession::forgetFile(const std::string& path) {
  auto stmt = db_.prepare("DELETE FROM export_files WHERE path = ?");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, path).run();
}

common::Status SqliteWriteSession::forEachDocumentOfDay(
    const std::string& ip, common::Timestamp day, std::int64_t after_report_id,
    const std::function<common::Status(std::int64_t report_id, std::string_view document)>& each) {
  auto rows = db_.prepare(
      "SELECT r.id FROM reports r JOIN hosts h ON h.id = r.host_id WHERE h.ip = ? AND "
      "r.collected_us >= ? AND r.collected_us < ? "
      "AND r.id > ? ORDER BY r.id");
  if (!rows) return rows.error();
  (*rows)
      ->bind(1, ip)
      .bind(2, micros(day))
      .bind(3, micros(day) + kMicrosPerDay)
      .bind(4, after_report_id);
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = (*rows)->step();
    if (!row) {
      (*rows)->reset();
      return row.error();
    }
    if (!*row) break;
    ids.push_back((*rows)->int64(0));
  }
  (*rows)->reset();
  DocumentChain documents(db_);
  for (const std::int64_t id : ids) {
    auto document = documents.byId(id);
    if (!document) return document.error();
    if (auto st = each(id, *document); !st) return st;
  }
  return common::Ok{};
}

common::Result<std::int64_t> SqliteWriteSession::countHosts() {
  auto count = db_.prepare("SELECT count(*) FROM hosts");
  if (!count) return count.error();
  auto row = (*count)->step();
  if (!row) return row.error();
  const std::int64_t n = (*count)->int64(0);
  (*count)->reset();
  return n;
}

common::Result<std::vector<std::int64_t>> SqliteWriteSession::hostsWithReportsBefore(
    std::int64_t cutoff_us) {
  auto stmt = db_.prepare(
      "SELECT h.id FROM hosts h WHERE (SELECT min(r.collected_us) FROM reports r "
      "WHERE r.host_id = h.id) < ? ORDER BY h.id");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, cutoff_us);
  std::vector<std::int64_t> hosts;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    hosts.push_back((*stmt)->int64(0));
  }
  (*stmt)->reset();
  return hosts;
}

common::Result<WriteSession::Expired> SqliteWriteSession::expireReports(std::int64_t host_id,
                                                                        std::int64_t cutoff_us,
                                                                        int max) {
  Expired out;
  auto ip = db_.prepare("SELECT ip FROM hosts WHERE id = ?");
  if (!ip) return ip.error();
  auto found = (*ip)->bind(1, host_id).step();
  if (!found) return found.error();
  if (!*found) return out;
  out.ip = (*ip)->text(0);
  (*ip)->reset();

  // The doomed reports, oldest first.
  auto doomed_stmt = db_.prepare(
      "SELECT id, collected_us, uuid FROM reports WHERE host_id = ? AND collected_us < ? "
      "ORDER BY collected_us, uuid LIMIT ?");
  if (!doomed_stmt) return doomed_stmt.error();
  (*doomed_stmt)->bind(1, host_id).bind(2, cutoff_us).bind(3, max);
  std::vector<ReportPoint> doomed;
  while (true) {
    auto row = (*doomed_stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    doomed.push_back({(*doomed_stmt)->int64(0), (*doomed_stmt)->int64(1), (*doomed_stmt)->text(2)});
  }
  (*doomed_stmt)->reset();
  if (doomed.empty()) return out;
  trend_.touched(doomed.front().collected_us);
  out.more = doomed.size() == static_cast<std::size_t>(max);
  std::unordered_set<std::int64_t> doomed_ids;
  for (const auto& d : doomed) doomed_ids.insert(d.report_id);

  // The oldest report left.
  auto next = db_.prepare(
      "SELECT id, collected_us FROM reports WHERE host_id = ? AND (collected_us, uuid) > (?, ?) "
      "ORDER BY collected_us, uuid LIMIT 1");
  if (!next) return next.error();
  auto left = (*next)
                  ->bind(1, host_id)
                  .bind(2, doomed.back().collected_us)
                  .bind(3, doomed.back().uuid)
                  .step();
  if (!left) return left.error();
  std::optional<std::int64_t> oldest_left_us;
  if (*left) oldest_left_us = (*next)->int64(1);
  (*next)->reset();

  // Documents stored against a doomed one are stored whole. A chain is at most
  // kChainLength deep and only newer reports join it, so they are among the first reports
  // left.
  if (oldest_left_us) {
    auto dependents = db_.prepare(
        "SELECT id, document_base_id FROM reports WHERE host_id = ? AND collected_us >= ? "
        "AND document_base_id IS NOT NULL ORDER BY collected_us LIMIT ?");
    if (!dependents) return dependents.error();
    (*dependents)
        ->bind(1, host_id)
        .bind(2, *oldest_left_us)
        .bind(3, static_cast<std::int64_t>(doomed.size()) + 2 * DocumentBases::kChainLength);
    std::vector<std::int64_t> rebase;
    while (true) {
      auto row = (*dependents)->step();
      if (!row) return row.error();
      if (!*row) break;
      if (doomed_ids.count((*dependents)->int64(1))) rebase.push_back((*dependents)->int64(0));
    }
    (*dependents)->reset();
    DocumentChain chain(db_);
    for (const std::int64_t id : rebase) {
      auto text = chain.byId(id);
      if (!text) return text.error();
      const std::string whole = compressDocument(*text);
      if (whole.empty()) {
        return common::makeError(ErrorCode::kUnavailable, "out of memory compressing a document");
      }
      auto update =
          db_.prepare("UPDATE reports SET document_z = ?, document_base_id = NULL WHERE id = ?");
      if (!update) return update.error();
      if (auto st = (*update)->bindBlob(1, whole).bind(2, id).run(); !st) return st.error();
    }
  }

  for (const auto& d : doomed) {
    auto remove = db_.prepare("DELETE FROM reports WHERE id = ?");  // prepare() resets it
    if (!remove) return remove.error();
    if (auto st = (*remove)->bind(1, d.report_id).run(); !st) return st.error();
  }
  out.reports = static_cast<std::int64_t>(doomed.size());

  if (!oldest_left_us) {
    // The host goes: its current verdicts leave the fleet's counters.
    auto uncount = db_.prepare(
        "UPDATE compliance_counts SET hosts = hosts - c.n FROM (SELECT rule_id, status, "
        "count(*) AS n FROM compliance_runs WHERE host_id = ? AND last_report_id IS NULL "
        "GROUP BY rule_id, status) c WHERE compliance_counts.rule_id = c.rule_id AND "
        "compliance_counts.status = c.status");
    if (!uncount) return uncount.error();
    if (auto st = (*uncount)->bind(1, host_id).run(); !st) return st.error();
  }
  for (const char* table : {"process_runs", "session_runs", "compliance_runs"}) {
    const std::string t = table;
    if (!oldest_left_us) {
      auto all = db_.prepare("DELETE FROM " + t + " WHERE host_id = ?");
      if (!all) return all.error();
      if (auto st = (*all)->bind(1, host_id).run(); !st) return st.error();
      continue;
    }
    // Runs that ended before the oldest report left: no report lists them any more.
    auto ended = db_.prepare("DELETE FROM " + t + " WHERE host_id = ? AND last_seen_us < ?");
    if (!ended) return ended.error();
    if (auto st = (*ended)->bind(1, host_id).bind(2, *oldest_left_us).run(); !st) return st.error();
  }
  if (!oldest_left_us) {
    auto host = db_.prepare("DELETE FROM hosts WHERE id = ?");
    if (!host) return host.error();
    if (auto st = (*host)->bind(1, host_id).run(); !st) return st.error();
    out.host_removed = true;
  } else {
    auto count = db_.prepare("UPDATE hosts SET report_count = report_count - ? WHERE id = ?");
    if (!count) return count.error();
    if (auto st = (*count)->bind(1, out.reports).bind(2, host_id).run(); !st) return st.error();
  }
  return out;
}

}  // namespace vigia::server
