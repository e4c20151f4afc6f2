#include "server/storage/sqlite/sqlite_webhook_outbox.hpp"

namespace vigia::server {

common::Result<std::vector<OutboxEvent>> SqliteWebhookOutbox::pending(const std::string& webhook,
                                                                      std::int64_t after_id,
                                                                      int max) {
  auto stmt = db_->prepare(
      "SELECT id, event_id, body FROM webhook_outbox WHERE webhook = ? AND id > ? "
      "ORDER BY id LIMIT ?");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, webhook).bind(2, after_id).bind(3, max);
  std::vector<OutboxEvent> events;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) {
      (*stmt)->reset();
      return row.error();
    }
    if (!*row) break;
    events.push_back({(*stmt)->int64(0), (*stmt)->text(1), (*stmt)->text(2)});
  }
  (*stmt)->reset();
  return events;
}

common::Status SqliteWebhookOutbox::remove(std::int64_t id) {
  auto stmt = db_->prepare("DELETE FROM webhook_outbox WHERE id = ?");
  if (!stmt) return stmt.error();
  return (*stmt)->bind(1, id).run();
}

common::Result<std::int64_t> SqliteWebhookOutbox::dropAllBut(
    const std::vector<std::string>& webhooks) {
  if (auto st = db_->exec("CREATE TEMP TABLE IF NOT EXISTS configured_webhooks (url TEXT)"); !st) {
    return st.error();
  }
  if (auto st = db_->exec("DELETE FROM configured_webhooks"); !st) return st.error();
  auto insert = db_->prepare("INSERT INTO configured_webhooks (url) VALUES (?)");
  if (!insert) return insert.error();
  for (const auto& url : webhooks) {
    if (auto st = (*insert)->bind(1, url).run(); !st) return st.error();
  }
  if (auto st = db_->exec(
          "DELETE FROM webhook_outbox WHERE webhook NOT IN (SELECT url FROM configured_webhooks)");
      !st) {
    return st.error();
  }
  return db_->changes();
}

}  // namespace vigia::server
