// The compliance GET endpoints on SQLite (docs/api.md, "Compliance"). A host's current verdicts are
// its open verdict runs, read through the partial indexes compliance_runs_current (per rule: the
// fleet counts) and compliance_runs_current_by_host (per host: its failing rules); a host is stale
// when its newest report (hosts.last_collected_us) is older than the cutoff.

#include <chrono>

#include "server/storage/sqlite/sqlite_database.hpp"
#include "server/storage/sqlite/sqlite_run_tables.hpp"

namespace vigia::server {
namespace {

constexpr const char* kFailing = "('fail', 'error')";

std::string isoOf(std::int64_t us) {
  return common::formatRfc3339Utc(common::Timestamp{std::chrono::microseconds{us}});
}

compliance::Severity severityOf(const std::string& text) {
  return compliance::parseSeverity(text).value_or(compliance::Severity::kInfo);
}

compliance::Status statusOf(const std::string& text) {
  return compliance::parseStatus(text).value_or(compliance::Status::kError);
}

// The severities at least `s`, as an SQL list.
std::string severitiesFrom(compliance::Severity s) {
  std::string list;
  for (int i = static_cast<int>(s); i <= static_cast<int>(compliance::Severity::kCritical); ++i) {
    list += (list.empty() ? "('" : ", '") +
            std::string(compliance::toString(static_cast<compliance::Severity>(i))) + "'";
  }
  return list + ")";
}

common::Result<std::optional<std::int64_t>> hostIdOf(SqliteConnection& db, const std::string& ip) {
  auto stmt = db.prepare("SELECT id FROM hosts WHERE ip = ?");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, ip);
  std::optional<std::int64_t> id;
  if (auto st = eachRow(**stmt, [&](const Statement& s) { id = s.int64(0); }); !st) {
    return st.error();
  }
  return id;
}

}  // namespace

common::Result<ComplianceSummary> SqliteDatabase::complianceSummary(std::int64_t stale_cutoff_us) {
  auto conn = reader();
  if (!conn) return conn.error();
  ComplianceSummary out;
  auto hosts = (*conn)->prepare(
      "SELECT count(*), coalesce(sum(last_collected_us < ?1), 0), "
      "coalesce(sum(last_collected_us >= ?1 AND failing), 0) FROM hosts");
  if (!hosts) return hosts.error();
  (*hosts)->bind(1, stale_cutoff_us);
  if (auto st = eachRow(**hosts,
                        [&](const Statement& s) {
                          out.total = s.int64(0);
                          out.stale = s.int64(1);
                          out.failing = s.int64(2);
                        });
      !st) {
    return st.error();
  }
  out.compliant = out.total - out.stale - out.failing;
  // Every host's current verdicts as the writer counts them, then the stale hosts' taken off:
  // the stale are few.
  for (const bool stale_only : {false, true}) {
    auto counts = (*conn)->prepare(
        stale_only
            // CROSS JOIN keeps hosts first (through hosts_by_last_collected): SQLite would
            // rather scan every host's current verdicts.
            ? "SELECT c.rule, r.status, count(*) FROM hosts h CROSS JOIN compliance_runs r "
              "ON r.host_id = h.id AND r.last_report_id IS NULL JOIN compliance_rules c "
              "ON c.id = r.rule_id WHERE h.last_collected_us < ?1 GROUP BY c.rule, r.status"
            : "SELECT c.rule, t.status, t.hosts FROM compliance_counts t "
              "JOIN compliance_rules c ON c.id = t.rule_id");
    if (!counts) return counts.error();
    if (stale_only) (*counts)->bind(1, stale_cutoff_us);
    if (auto st = eachRow(**counts,
                          [&](const Statement& s) {
                            out.rules[s.text(0)].add(statusOf(s.text(1)),
                                                     stale_only ? -s.int64(2) : s.int64(2));
                          });
        !st) {
      return st.error();
    }
  }
  return out;
}

common::Result<std::vector<HostComplianceItem>> SqliteDatabase::complianceHosts(
    const HostComplianceQuery& q) {
  auto conn = reader();
  if (!conn) return conn.error();
  const std::string failing_exists =
      std::string(
          "EXISTS (SELECT 1 FROM compliance_runs r WHERE r.host_id = h.id AND "
          "r.last_report_id IS NULL AND r.status IN ") +
      kFailing;
  std::string sql = "SELECT h.id, h.ip, h.hostname, h.last_report_at, h.last_collected_us < ?1, " +
                    failing_exists + ") FROM hosts h WHERE 1";
  using Order = HostComplianceQuery::Order;
  // Keyset paging in each order: after the cursor's host, by its own sort key then id.
  const char* after = nullptr;
  const char* order_by = nullptr;
  switch (q.order) {
    case Order::kFirstSeen:
      after = "h.id > ?2";
      order_by = "h.id";
      break;
    case Order::kHostname:
      after = "(h.hostname, h.id) > (SELECT hostname, id FROM hosts WHERE id = ?2)";
      order_by = "h.hostname, h.id";
      break;
    case Order::kLastReportOldest:
      after =
          "(h.last_collected_us, h.id) > (SELECT last_collected_us, id FROM hosts WHERE id = ?2)";
      order_by = "h.last_collected_us, h.id";
      break;
    case Order::kLastReportNewest:
      after =
          "(h.last_collected_us, h.id) < (SELECT last_collected_us, id FROM hosts WHERE id = ?2)";
      order_by = "h.last_collected_us DESC, h.id DESC";
      break;
  }
  sql += std::string(" AND ") + (q.after_host_id ? after : "?2 = ?2");
  if (q.host) sql += " AND h.ip = ?5";
  if (q.search)
    sql += " AND (instr(lower(h.hostname), lower(?6)) > 0 OR instr(h.ip, lower(?6)) > 0)";
  if (q.os) {
    sql +=
        " AND h.os_release_id IN (SELECT id FROM os_releases WHERE os_id = lower(?7) OR "
        "instr(lower(name), lower(?7)) > 0)";
  }
  if (q.status == "stale") sql += " AND h.last_collected_us < ?1";
  if (q.status == "failing") sql += " AND h.last_collected_us >= ?1 AND " + failing_exists + ")";
  if (q.status == "compliant") {
    sql += " AND h.last_collected_us >= ?1 AND NOT " + failing_exists + ")";
  }
  if (q.rule) {
    sql += " AND " + failing_exists +
           " AND r.rule_id = (SELECT id FROM compliance_rules WHERE rule = ?4))";
  }
  if (q.severity) {
    sql += " AND " + failing_exists +
           " AND r.rule_id IN (SELECT id FROM compliance_rules WHERE severity IN " +
           severitiesFrom(*q.severity) + "))";
  }
  sql += std::string(" ORDER BY ") + order_by + " LIMIT ?3";
  auto stmt = (*conn)->prepare(sql);
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, q.stale_cutoff_us).bind(2, q.after_host_id.value_or(0)).bind(3, q.limit);
  if (q.rule) (*stmt)->bind(4, *q.rule);
  if (q.host) (*stmt)->bind(5, *q.host);
  if (q.search) (*stmt)->bind(6, *q.search);
  if (q.os) (*stmt)->bind(7, *q.os);
  std::vector<HostComplianceItem> items;
  if (auto st = eachRow(**stmt,
                        [&](const Statement& s) {
                          HostComplianceItem item;
                          item.host_id = s.int64(0);
                          item.ip = s.text(1);
                          item.hostname = s.text(2);
                          item.last_report_at = s.text(3);
                          item.status = s.int64(4) ? "stale" : s.int64(5) ? "failing" : "compliant";
                          items.push_back(std::move(item));
                        });
      !st) {
    return st.error();
  }
  auto failing = (*conn)->prepare(
      std::string("SELECT c.rule, c.severity FROM compliance_runs r JOIN compliance_rules c "
                  "ON c.id = r.rule_id WHERE r.host_id = ? AND r.last_report_id IS NULL AND "
                  "r.status IN ") +
      kFailing + " ORDER BY c.rule");
  if (!failing) return failing.error();
  for (auto& item : items) {
    (*failing)->bind(1, item.host_id);
    if (auto st = eachRow(**failing,
                          [&](const Statement& s) {
                            item.failing.push_back({s.text(0), severityOf(s.text(1))});
                          });
        !st) {
      return st.error();
    }
  }
  return items;
}

common::Result<std::optional<std::vector<VerdictItem>>> SqliteDatabase::hostCompliance(
    const std::string& ip) {
  auto conn = reader();
  if (!conn) return conn.error();
  auto host = hostIdOf(**conn, ip);
  if (!host) return host.error();
  if (!*host) return std::optional<std::vector<VerdictItem>>();
  auto stmt = (*conn)->prepare(
      "SELECT c.rule, c.title, c.severity, r.status, r.first_seen_us, r.evidence, r.waiver, "
      "(SELECT n.uuid FROM reports n WHERE n.host_id = r.host_id "
      "ORDER BY n.collected_us DESC, n.uuid DESC LIMIT 1) "
      "FROM compliance_runs r JOIN compliance_rules c ON c.id = r.rule_id "
      "WHERE r.host_id = ? AND r.last_report_id IS NULL ORDER BY c.rule");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, **host);
  std::vector<VerdictItem> items;
  if (auto st = eachRow(**stmt,
                        [&](const Statement& s) {
                          VerdictItem v;
                          v.rule = s.text(0);
                          v.title = s.text(1);
                          v.severity = severityOf(s.text(2));
                          v.status = statusOf(s.text(3));
                          v.since = isoOf(s.int64(4));
                          v.evidence = s.text(5);
                          if (!s.isNull(6)) v.waiver = s.text(6);
                          v.report_id = s.text(7);
                          items.push_back(std::move(v));
                        });
      !st) {
    return st.error();
  }
  return std::optional<std::vector<VerdictItem>>(std::move(items));
}

common::Result<std::optional<std::vector<VerdictRunItem>>> SqliteDatabase::hostComplianceHistory(
    const std::string& ip, const VerdictRunQuery& q) {
  auto conn = reader();
  if (!conn) return conn.error();
  auto host = hostIdOf(**conn, ip);
  if (!host) return host.error();
  if (!*host) return std::optional<std::vector<VerdictRunItem>>();
  std::string sql =
      "SELECT r.id, r.first_seen_us, c.rule, r.status, CASE WHEN r.last_report_id IS NULL THEN "
      "h.last_collected_us ELSE r.last_seen_us END, r.evidence FROM compliance_runs r "
      "JOIN compliance_rules c ON c.id = r.rule_id JOIN hosts h ON h.id = r.host_id "
      "WHERE r.host_id = ?1";
  if (q.rule) sql += " AND c.rule = ?2";
  if (q.since) sql += " AND r.last_seen_us >= ?3";
  if (q.until) sql += " AND r.first_seen_us <= ?4";
  if (q.after_key) sql += " AND (r.first_seen_us, r.id) < (?5, ?6)";
  sql += " ORDER BY r.first_seen_us DESC, r.id DESC LIMIT ?7";
  auto stmt = (*conn)->prepare(sql);
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, **host);
  if (q.rule) (*stmt)->bind(2, *q.rule);
  if (q.since) (*stmt)->bind(3, q.since->time_since_epoch().count());
  if (q.until) (*stmt)->bind(4, q.until->time_since_epoch().count());
  if (q.after_key) (*stmt)->bind(5, *q.after_key).bind(6, q.after_id.value_or(0));
  (*stmt)->bind(7, q.limit);
  std::vector<VerdictRunItem> items;
  if (auto st = eachRow(**stmt,
                        [&](const Statement& s) {
                          VerdictRunItem v;
                          v.run_id = s.int64(0);
                          v.first_seen_us = s.int64(1);
                          v.first_seen_at = isoOf(s.int64(1));
                          v.rule = s.text(2);
                          v.status = statusOf(s.text(3));
                          v.last_seen_at = isoOf(s.int64(4));
                          v.evidence = s.text(5);
                          items.push_back(std::move(v));
                        });
      !st) {
    return st.error();
  }
  return std::optional<std::vector<VerdictRunItem>>(std::move(items));
}

namespace {

// Counts the trend's days, one statement per day.
class TrendDayCounter {
 public:
  static common::Result<TrendDayCounter> prepare(SqliteConnection& db,
                                                 std::chrono::seconds stale_after) {
    // Each host's report in force at the end of the day, then whether it was stale then or a
    // failing verdict run covered it.
    auto stmt = db.prepare(
        std::string("WITH inforce AS (SELECT h.id AS host_id, (SELECT max(x.collected_us) FROM "
                    "reports x WHERE x.host_id = h.id AND x.collected_us <= ?1) AS t FROM hosts h) "
                    "SELECT coalesce(sum(t < ?2), 0), coalesce(sum(t >= ?2 AND EXISTS (SELECT 1 "
                    "FROM compliance_runs r WHERE r.host_id = inforce.host_id AND r.last_seen_us "
                    ">= t AND r.first_seen_us <= t AND r.status IN ") +
        kFailing + ")), 0), coalesce(sum(t >= ?2), 0) FROM inforce WHERE t IS NOT NULL");
    if (!stmt) return stmt.error();
    return TrendDayCounter(*stmt, stale_after);
  }

  // The day starting at `day`, counted at `end_us` (its last microsecond, or now for today).
  common::Result<TrendDay> count(common::Timestamp day, std::int64_t end_us) {
    stmt_->bind(1, end_us).bind(2, end_us - stale_us_);
    TrendDay d;
    d.date = common::utcDate(day);
    std::int64_t fresh = 0;
    if (auto st = eachRow(*stmt_,
                          [&](const Statement& s) {
                            d.stale = s.int64(0);
                            d.failing = s.int64(1);
                            fresh = s.int64(2);
                          });
        !st) {
      return st.error();
    }
    d.compliant = fresh - d.failing;
    return d;
  }

  std::int64_t staleUs() const { return stale_us_; }

 private:
  TrendDayCounter(Statement* stmt, std::chrono::seconds stale_after)
      : stmt_(stmt),
        stale_us_(std::chrono::duration_cast<std::chrono::microseconds>(stale_after).count()) {}

  Statement* stmt_;
  std::int64_t stale_us_;
};

// Calls each(day, end_us, closed) for the days from `first_day` to `now`.
template <typename Each>
common::Status forEachTrendDay(common::Timestamp first_day, common::Timestamp now, Each each) {
  const auto day_length = std::chrono::hours(24);
  for (auto day = first_day; day <= now; day += day_length) {
    const auto last = day + day_length - std::chrono::microseconds(1);
    const auto end = std::min(now, last);
    if (auto st = each(day, end.time_since_epoch().count(), end == last); !st) return st;
  }
  return common::Ok{};
}

}  // namespace

common::Result<std::vector<TrendDay>> SqliteDatabase::complianceTrend(
    common::Timestamp first_day, common::Timestamp now, std::chrono::seconds stale_after) {
  return countTrend(first_day, now, stale_after, true);
}

common::Result<std::vector<TrendDay>> SqliteDatabase::complianceTrendUncached(
    common::Timestamp first_day, common::Timestamp now, std::chrono::seconds stale_after) {
  return countTrend(first_day, now, stale_after, false);
}

common::Result<std::vector<TrendDay>> SqliteDatabase::countTrend(common::Timestamp first_day,
                                                                 common::Timestamp now,
                                                                 std::chrono::seconds stale_after,
                                                                 bool use_cache) {
  auto conn = reader();
  if (!conn) return conn.error();
  auto counter = TrendDayCounter::prepare(**conn, stale_after);
  if (!counter) return counter.error();
  // Read before the counting starts: a commit after it leaves what is counted uncached.
  const std::uint64_t generation = trend_days_.generation();
  std::vector<TrendDay> days;
  auto st = forEachTrendDay(
      first_day, now,
      [&](common::Timestamp day, std::int64_t end_us, bool closed) -> common::Status {
        const bool cacheable = use_cache && closed;
        if (cacheable) {
          if (auto known = trend_days_.find(end_us, counter->staleUs())) {
            days.push_back(std::move(*known));
            return common::Ok{};
          }
        }
        auto d = counter->count(day, end_us);
        if (!d) return d.error();
        if (cacheable) trend_days_.store(generation, end_us, counter->staleUs(), *d);
        days.push_back(std::move(*d));
        return common::Ok{};
      });
  if (!st) return st.error();
  return days;
}

}  // namespace vigia::server
