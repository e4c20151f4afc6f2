#include "server/storage/sqlite/sqlite_run_tables.hpp"

namespace vigia::server {
namespace {

std::optional<std::int64_t> optionalInt(const Statement& stmt, int column) {
  if (stmt.isNull(column)) return std::nullopt;
  return stmt.int64(column);
}

std::optional<std::string> optionalText(const Statement& stmt, int column) {
  if (stmt.isNull(column)) return std::nullopt;
  return stmt.text(column);
}

std::string placeholders(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

}  // namespace

void RunColumns<common::Process>::bind(Statement& stmt, int at, const common::Process& p) {
  stmt.bind(at, p.pid)
      .bind(at + 1, p.ppid)
      .bindView(at + 2, p.name)
      .bindView(at + 3, p.user)
      .bind(at + 4, p.uid)
      .bindView(at + 5, p.command)
      .bindView(at + 6, p.started_at);
}

common::Process RunColumns<common::Process>::read(const Statement& stmt, int at) {
  common::Process p;
  p.pid = stmt.int64(at);
  p.ppid = optionalInt(stmt, at + 1);
  p.name = stmt.text(at + 2);
  p.user = stmt.text(at + 3);
  p.uid = optionalInt(stmt, at + 4);
  p.command = optionalText(stmt, at + 5);
  p.started_at = optionalText(stmt, at + 6);
  return p;
}

void RunColumns<common::Session>::bind(Statement& stmt, int at, const common::Session& s) {
  stmt.bindView(at, s.user)
      .bindView(at + 1, s.tty)
      .bindView(at + 2, s.remote_host)
      .bindView(at + 3, s.login_time)
      .bind(at + 4, s.pid);
}

common::Session RunColumns<common::Session>::read(const Statement& stmt, int at) {
  common::Session s;
  s.user = stmt.text(at);
  s.tty = stmt.text(at + 1);
  s.remote_host = optionalText(stmt, at + 2);
  s.login_time = optionalText(stmt, at + 3);
  s.pid = optionalInt(stmt, at + 4);
  return s;
}

void RunColumns<VerdictEntry>::bind(Statement& stmt, int at, const VerdictEntry& v) {
  stmt.bind(at, v.rule_id)
      .bind(at + 1, compliance::toString(v.status))
      .bindView(at + 2, v.evidence)
      .bindView(at + 3, v.waiver);
}

VerdictEntry RunColumns<VerdictEntry>::read(const Statement& stmt, int at) {
  VerdictEntry v;
  v.rule_id = stmt.int64(at);
  v.status = compliance::parseStatus(stmt.text(at + 1)).value_or(compliance::Status::kError);
  v.evidence = stmt.text(at + 2);
  v.waiver = optionalText(stmt, at + 3);
  return v;
}

template <typename Entry>
SqliteRunTable<Entry>::SqliteRunTable(SqliteConnection& db) : db_(db) {
  using C = RunColumns<Entry>;
  const std::string table = C::kTable;
  insert_ = "INSERT INTO " + table + " (id, host_id, " + C::kColumns +
            ", copy, first_report_id, first_seen_us, last_report_id, last_seen_us) VALUES (" +
            placeholders(C::kCount + 7) + ")";
  max_id_ = "SELECT COALESCE(max(id), 0) FROM " + table;
  set_first_ = "UPDATE " + table + " SET first_report_id = ?, first_seen_us = ? WHERE id = ?";
  set_last_ = "UPDATE " + table + " SET last_report_id = ?, last_seen_us = ? WHERE id = ?";
  remove_ = "DELETE FROM " + table + " WHERE id = ?";
  open_ = "SELECT id, " + std::string(C::kColumns) +
          ", copy, first_report_id, first_seen_us FROM " + table +
          " WHERE host_id = ? AND last_seen_us = " + std::to_string(kOpenRunUs);
  // Every run ending at or after `before` and starting at or before `after`: those covering
  // either, and perhaps a few ending or starting at the same instant that the caller sorts out
  // with the uuids.
  std::string prefixed;
  for (std::string_view rest = C::kColumns; !rest.empty();) {
    const std::size_t comma = rest.find(',');
    std::string_view column = rest.substr(0, comma);
    while (column.starts_with(' ')) column.remove_prefix(1);
    prefixed += (prefixed.empty() ? "r." : ", r.") + std::string(column);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  around_ = "SELECT r.id, " + prefixed +
            ", r.copy, r.first_report_id, r.first_seen_us, f.uuid, r.last_report_id, "
            "r.last_seen_us, l.uuid FROM " +
            table +
            " r LEFT JOIN reports f ON f.id = r.first_report_id "
            "LEFT JOIN reports l ON l.id = r.last_report_id "
            "WHERE r.host_id = ? AND r.last_seen_us >= ? AND r.first_seen_us <= ?";
}

template <typename Entry>
common::Result<std::int64_t> SqliteRunTable<Entry>::insert(std::int64_t host_id, const Entry& entry,
                                                           int copy, const ReportPoint& first,
                                                           const std::optional<ReportPoint>& last) {
  constexpr int n = RunColumns<Entry>::kCount;
  if (next_id_ == 0) {
    auto max = db_.prepare(max_id_);
    if (!max) return max.error();
    auto row = (*max)->step();
    if (!row) return row.error();
    next_id_ = (*max)->int64(0) + 1;
    (*max)->reset();
  }
  auto stmt = db_.prepare(insert_);
  if (!stmt) return stmt.error();
  const std::int64_t id = next_id_;
  (*stmt)->bind(1, id).bind(2, host_id);
  RunColumns<Entry>::bind(**stmt, 3, entry);
  (*stmt)->bind(n + 3, copy).bind(n + 4, first.report_id).bind(n + 5, first.collected_us);
  if (last) {
    (*stmt)->bind(n + 6, last->report_id).bind(n + 7, last->collected_us);
  } else {
    (*stmt)->bindNull(n + 6).bind(n + 7, kOpenRunUs);
  }
  auto st = (*stmt)->run();
  (*stmt)->reset();
  if (!st) return st.error();
  ++next_id_;
  return id;
}

template <typename Entry>
common::Status SqliteRunTable<Entry>::setFirst(std::int64_t run_id, const ReportPoint& first) {
  auto stmt = db_.prepare(set_first_);
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, first.report_id).bind(2, first.collected_us).bind(3, run_id).run();
}

template <typename Entry>
common::Status SqliteRunTable<Entry>::setLast(std::int64_t run_id,
                                              const std::optional<ReportPoint>& last) {
  auto stmt = db_.prepare(set_last_);
  if (!stmt) return stmt.error();
  if (last) {
    (*stmt)->bind(1, last->report_id).bind(2, last->collected_us);
  } else {
    (*stmt)->bindNull(1).bind(2, kOpenRunUs);
  }
  return (*stmt)->bind(3, run_id).run();
}

template <typename Entry>
common::Status SqliteRunTable<Entry>::remove(std::int64_t run_id) {
  auto stmt = db_.prepare(remove_);
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, run_id).run();
}

template <typename Entry>
common::Result<std::vector<typename SqliteRunTable<Entry>::Run>> SqliteRunTable<Entry>::openRuns(
    std::int64_t host_id) {
  constexpr int n = RunColumns<Entry>::kCount;
  auto stmt = db_.prepare(open_);
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, host_id);
  std::vector<Run> runs;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    Statement& s = **stmt;
    runs.push_back({s.int64(0),
                    RunColumns<Entry>::read(s, 1),
                    static_cast<int>(s.int64(n + 1)),
                    {s.int64(n + 2), s.int64(n + 3), {}},
                    std::nullopt});
  }
  (*stmt)->reset();
  return runs;
}

template <typename Entry>
common::Result<std::vector<typename SqliteRunTable<Entry>::Run>> SqliteRunTable<Entry>::runsAround(
    std::int64_t host_id, const std::optional<ReportPoint>& before, const ReportPoint& after) {
  constexpr int n = RunColumns<Entry>::kCount;
  auto stmt = db_.prepare(around_);
  if (!stmt) return stmt.error();
  (*stmt)
      ->bind(1, host_id)
      .bind(2, before ? before->collected_us : after.collected_us)
      .bind(3, after.collected_us);
  std::vector<Run> runs;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    Statement& s = **stmt;
    Run run{s.int64(0),
            RunColumns<Entry>::read(s, 1),
            static_cast<int>(s.int64(n + 1)),
            {s.int64(n + 2), s.int64(n + 3), s.text(n + 4)},
            std::nullopt};
    if (!s.isNull(n + 5)) run.last = ReportPoint{s.int64(n + 5), s.int64(n + 6), s.text(n + 7)};
    runs.push_back(std::move(run));
  }
  (*stmt)->reset();
  return runs;
}

template class SqliteRunTable<common::Process>;
template class SqliteRunTable<common::Session>;
template class SqliteRunTable<VerdictEntry>;

}  // namespace vigia::server
