#pragma once

#include <memory>

#include "server/storage/compliance/webhook_outbox.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

class SqliteWebhookOutbox final : public WebhookOutbox {
 public:
  explicit SqliteWebhookOutbox(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  common::Result<std::vector<OutboxEvent>> pending(const std::string& webhook,
                                                   std::int64_t after_id, int max) override;
  common::Status remove(std::int64_t id) override;
  common::Result<std::int64_t> dropAllBut(const std::vector<std::string>& webhooks) override;

 private:
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace vigia::server
