// GET /api/v1/processes and /api/v1/sessions on SQLite (docs/api.md): the fleet's runs, newest
// first_seen_at first, filtered and paged on the database. Indexes: process_runs_by_name for a
// name, process_runs_by_start (session_runs_by_start) otherwise, newest first;
// *_by_host_end for the runs a host's report in force lists (`at`). Their plans are checked
// by sqlite_search_test.cpp.

#include "server/storage/sqlite/sqlite_search.hpp"

#include <variant>

#include "server/storage/sqlite/sqlite_database.hpp"
#include "server/storage/sqlite/sqlite_run_tables.hpp"

namespace vigia::server {
namespace {

std::int64_t micros(common::Timestamp t) { return t.time_since_epoch().count(); }

std::string isoOf(std::int64_t us) {
  return common::formatRfc3339Utc(common::Timestamp{std::chrono::microseconds{us}});
}

std::optional<std::int64_t> optionalInt(const Statement& s, int c) {
  return s.isNull(c) ? std::nullopt : std::optional<std::int64_t>(s.int64(c));
}
std::optional<std::string> optionalText(const Statement& s, int c) {
  return s.isNull(c) ? std::nullopt : std::optional<std::string>(s.text(c));
}

}  // namespace

SearchSql searchSql(const std::string& table, const std::string& identity, const RunQuery& q,
                    const std::vector<std::pair<std::string, std::string>>& exact,
                    const std::optional<std::pair<std::string, std::string>>& contains) {
  SearchSql out;
  std::string& sql = out.text;
  auto bind = [&](SearchSql::Value v) {
    out.values.push_back(std::move(v));
    // Appended, not `"?" + number`: g++ 12 at -O3 reports a false -Wrestrict for the latter.
    std::string placeholder = "?";
    placeholder += std::to_string(out.values.size());
    return placeholder;
  };
  if (q.at) {
    // Each host's report in force at `at`: its newest collected at or before it.
    const std::string at = bind(micros(*q.at));
    sql =
        "WITH inforce AS (SELECT h.id AS host_id, (SELECT x.id FROM reports x WHERE "
        "x.host_id = h.id AND x.collected_us <= " +
        at + " ORDER BY x.collected_us DESC, x.uuid DESC LIMIT 1) AS report_id FROM hosts h) ";
  }
  sql +=
      "SELECT r.id, h.ip, h.hostname, r.first_seen_us, CASE WHEN r.last_report_id IS NULL "
      "THEN h.last_collected_us ELSE r.last_seen_us END, r.last_report_id IS NULL, " +
      identity + " FROM ";
  if (q.at) {
    sql += "inforce t JOIN reports a ON a.id = t.report_id JOIN " + table +
           " r ON r.host_id = a.host_id AND r.last_seen_us >= a.collected_us AND "
           "r.first_seen_us <= a.collected_us JOIN hosts h ON h.id = r.host_id";
  } else {
    sql += table + " r JOIN hosts h ON h.id = r.host_id";
  }
  std::vector<std::string> where;
  if (q.at) {
    // Between reports collected at the same instant, the order is the uuid's (as in the
    // processes view).
    where.push_back(
        "(r.first_seen_us < a.collected_us OR r.first_report_id = a.id OR "
        "(SELECT f.uuid FROM reports f WHERE f.id = r.first_report_id) < a.uuid)");
    where.push_back(
        "(r.last_seen_us > a.collected_us OR r.last_report_id = a.id OR "
        "(SELECT l.uuid FROM reports l WHERE l.id = r.last_report_id) > a.uuid)");
  }
  if (q.host) where.push_back("h.ip = " + bind(*q.host));
  for (const auto& [column, value] : exact) where.push_back("r." + column + " = " + bind(value));
  if (contains)
    where.push_back("instr(r." + contains->first + ", " + bind(contains->second) + ") > 0");
  if (q.until) where.push_back("r.first_seen_us <= " + bind(micros(*q.until)));
  if (q.since) {
    const std::string since = bind(micros(*q.since));
    // An open run lasts through its host's newest report.
    where.push_back("r.last_seen_us >= " + since + " AND (r.last_report_id IS NOT NULL OR " +
                    "h.last_collected_us >= " + since + ")");
  }
  if (q.after) {
    const std::string key = bind(q.after->key);
    const std::string id = bind(q.after->id);
    where.push_back("r.first_seen_us <= " + key + " AND (r.first_seen_us < " + key + " OR r.id < " +
                    id + ")");
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY r.first_seen_us DESC, r.id DESC LIMIT " +
         bind(static_cast<std::int64_t>(q.limit) + 1);
  return out;
}

namespace {

// Runs `search`, reading each row's identity columns (from column 6) with `read`.
template <typename Item, typename Read>
common::Result<Page<Item>> runSearch(SqliteDatabase& db, const SearchSql& search, int limit,
                                     Read read) {
  auto conn = db.reader();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare(search.text);
  if (!stmt) return stmt.error();
  for (std::size_t i = 0; i < search.values.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    std::visit([&](const auto& v) { (*stmt)->bind(at, v); }, search.values[i]);
  }
  Page<Item> page;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    const Statement& s = **stmt;
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      page.next = page.items.back().position;  // one more row than asked: there is a next page
      break;
    }
    Item item;
    item.position = {s.int64(3), s.int64(0)};
    item.host_ip = s.text(1);
    item.hostname = s.text(2);
    item.first_seen_at = isoOf(s.int64(3));
    item.last_seen_at = isoOf(s.int64(4));
    item.current = s.int64(5) != 0;
    read(s, item);
    page.items.push_back(std::move(item));
  }
  (*stmt)->reset();
  return page;
}

}  // namespace

common::Result<Page<ProcessRunItem>> SqliteDatabase::searchProcesses(const RunQuery& q) {
  std::vector<std::pair<std::string, std::string>> exact;
  if (q.name) exact.emplace_back("name", *q.name);
  if (q.user) exact.emplace_back("user_name", *q.user);
  std::optional<std::pair<std::string, std::string>> contains;
  if (q.command) contains = std::pair<std::string, std::string>("command", *q.command);
  const SearchSql search = searchSql("process_runs",
                                     "r.pid, r.ppid, r.name, r.user_name, r.uid, r.command, "
                                     "r.started_at",
                                     q, exact, contains);
  return runSearch<ProcessRunItem>(*this, search, q.limit, [](const Statement& s, auto& item) {
    item.pid = s.int64(6);
    item.ppid = optionalInt(s, 7);
    item.name = s.text(8);
    item.user = s.text(9);
    item.uid = optionalInt(s, 10);
    item.command = optionalText(s, 11);
    item.started_at = optionalText(s, 12);
  });
}

common::Result<Page<SessionRunItem>> SqliteDatabase::searchSessions(const RunQuery& q) {
  std::vector<std::pair<std::string, std::string>> exact;
  if (q.user) exact.emplace_back("user_name", *q.user);
  if (q.tty) exact.emplace_back("tty", *q.tty);
  if (q.remote_host) exact.emplace_back("remote_host", *q.remote_host);
  const SearchSql search = searchSql(
      "session_runs", "r.user_name, r.tty, r.remote_host, r.login_time, r.pid", q, exact, {});
  return runSearch<SessionRunItem>(*this, search, q.limit, [](const Statement& s, auto& item) {
    item.user = s.text(6);
    item.tty = s.text(7);
    item.remote_host = optionalText(s, 8);
    item.login_time = optionalText(s, 9);
    item.pid = optionalInt(s, 10);
  });
}

}  // namespace vigia::server
