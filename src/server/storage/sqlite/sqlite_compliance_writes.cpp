#include "server/storage/sqlite/sqlite_compliance_writes.hpp"

#include "server/storage/sqlite/document_chain.hpp"

namespace vigia::server {

common::Result<std::vector<std::int64_t>> SqliteComplianceWrites::ruleIds(
    std::span<const compliance::RuleInfo> rules) {
  auto upsert = db_.prepare(
      "INSERT INTO compliance_rules (rule, title, severity) VALUES (?, ?, ?) "
      "ON CONFLICT (rule) DO UPDATE SET title = excluded.title, severity = excluded.severity "
      "RETURNING id");
  if (!upsert) return upsert.error();
  std::vector<std::int64_t> ids;
  ids.reserve(rules.size());
  for (const auto& rule : rules) {
    (*upsert)->bind(1, rule.id).bind(2, rule.title).bind(3, compliance::toString(rule.severity));
    auto row = (*upsert)->step();
    if (!row) {
      (*upsert)->reset();
      return row.error();
    }
    ids.push_back((*upsert)->int64(0));
    (*upsert)->reset();
  }
  return ids;
}

common::Result<std::vector<VerdictEntry>> SqliteComplianceWrites::currentVerdicts(
    std::int64_t host_id) {
  auto stmt = db_.prepare(
      "SELECT rule_id, status, evidence, waiver FROM compliance_runs "
      "WHERE host_id = ? AND last_report_id IS NULL");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, host_id);
  std::vector<VerdictEntry> verdicts;
  if (auto st = eachRow(
          **stmt,
          [&](const Statement& s) { verdicts.push_back(RunColumns<VerdictEntry>::read(s, 0)); });
      !st) {
    return st.error();
  }
  return verdicts;
}

common::Status SqliteComplianceWrites::setEvidence(std::int64_t host_id,
                                                   std::optional<std::int64_t> last_report_id,
                                                   const VerdictEntry& verdict) {
  auto stmt = db_.prepare(
      last_report_id ? "UPDATE compliance_runs SET evidence = ?, waiver = ? WHERE host_id = ? AND "
                       "rule_id = ? AND status = ? AND last_report_id = ?"
                     : "UPDATE compliance_runs SET evidence = ?, waiver = ? WHERE host_id = ? AND "
                       "rule_id = ? AND status = ? AND last_report_id IS NULL");
  if (!stmt) return stmt.error();
  (*stmt)
      ->bind(1, verdict.evidence)
      .bind(2, verdict.waiver)
      .bind(3, host_id)
      .bind(4, verdict.rule_id)
      .bind(5, compliance::toString(verdict.status));
  if (last_report_id) (*stmt)->bind(6, *last_report_id);
  return (*stmt)->run();
}

common::Status SqliteComplianceWrites::countVerdicts(std::int64_t rule_id,
                                                     compliance::Status status,
                                                     std::int64_t delta) {
  // A fewer is an UPDATE: SQLite checks the row an upsert would insert (hosts >= 0) before
  // it sees the conflict.
  auto stmt = db_.prepare(
      delta < 0 ? "UPDATE compliance_counts SET hosts = hosts + ?3 WHERE rule_id = ?1 AND "
                  "status = ?2"
                : "INSERT INTO compliance_counts (rule_id, status, hosts) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (rule_id, status) DO UPDATE SET hosts = hosts + excluded.hosts");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, rule_id).bind(2, compliance::toString(status)).bind(3, delta).run();
}

common::Status SqliteComplianceWrites::setHostFailing(std::int64_t host_id, bool failing) {
  auto stmt = db_.prepare("UPDATE hosts SET failing = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, failing ? 1 : 0).bind(2, host_id).run();
}

common::Result<std::string> SqliteComplianceWrites::document(std::int64_t report_id) {
  return DocumentChain(db_).byId(report_id);
}

common::Status SqliteComplianceWrites::enqueueEvent(const std::string& webhook,
                                                    const std::string& event_id,
                                                    const std::string& body,
                                                    std::int64_t created_us) {
  auto stmt = db_.prepare(
      "INSERT INTO webhook_outbox (webhook, event_id, body, created_us) VALUES (?, ?, ?, ?)");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, webhook).bind(2, event_id).bind(3, body).bind(4, created_us).run();
}

common::Result<std::vector<ComplianceWrites::HostRef>> SqliteComplianceWrites::markStale(
    std::int64_t cutoff_us, int max) {
  auto stmt = db_.prepare(
      "UPDATE hosts SET stale_announced = 1 WHERE id IN (SELECT id FROM hosts WHERE "
      "last_collected_us < ? AND stale_announced = 0 ORDER BY id LIMIT ?) "
      "RETURNING id, ip, hostname");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, cutoff_us).bind(2, max);
  std::vector<HostRef> hosts;
  if (auto st = eachRow(**stmt,
                        [&](const Statement& s) {
                          hosts.push_back({s.int64(0), s.text(1), s.text(2)});
                        });
      !st) {
    return st.error();
  }
  return hosts;
}

common::Result<bool> SqliteComplianceWrites::clearStale(std::int64_t host_id) {
  auto stmt =
      db_.prepare("UPDATE hosts SET stale_announced = 0 WHERE id = ? AND stale_announced = 1");
  if (!stmt) return stmt.error();
  if (auto st = (*stmt)->bind(1, host_id).run(); !st) return st.error();
  return db_.changes() > 0;
}

common::Result<std::vector<ComplianceWrites::NewestReport>> SqliteComplianceWrites::newestReports(
    std::int64_t after_host_id, int max) {
  auto stmt = db_.prepare(
      "SELECT h.id, h.ip, h.hostname, r.id, r.collected_us, r.uuid FROM hosts h "
      "JOIN reports r ON r.id = (SELECT n.id FROM reports n WHERE n.host_id = h.id "
      "ORDER BY n.collected_us DESC, n.uuid DESC LIMIT 1) "
      "WHERE h.id > ? ORDER BY h.id LIMIT ?");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, after_host_id).bind(2, max);
  std::vector<NewestReport> newest;
  if (auto st = eachRow(**stmt,
                        [&](const Statement& s) {
                          newest.push_back({{s.int64(0), s.text(1), s.text(2)},
                                            {s.int64(3), s.int64(4), s.text(5)},
                                            {}});
                        });
      !st) {
    return st.error();
  }
  DocumentChain documents(db_);
  for (auto& n : newest) {
    // These are read to be judged again, and this is the one way the writer reads them so.
    trend_.touched(n.point.collected_us);
    auto document = documents.byId(n.point.report_id);
    if (!document) return document.error();
    n.document = std::move(*document);
  }
  return newest;
}

common::Result<std::optional<std::string>> SqliteComplianceWrites::state(const std::string& key) {
  auto stmt = db_.prepare("SELECT value FROM server_state WHERE key = ?");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, key);
  std::optional<std::string> value;
  if (auto st = eachRow(**stmt, [&](const Statement& s) { value = s.text(0); }); !st) {
    return st.error();
  }
  return value;
}

common::Status SqliteComplianceWrites::setState(const std::string& key, const std::string& value) {
  auto stmt = db_.prepare(
      "INSERT INTO server_state (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, key).bind(2, value).run();
}

}  // namespace vigia::server
