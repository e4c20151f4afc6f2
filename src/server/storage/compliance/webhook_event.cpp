#include "server/storage/compliance/webhook_event.hpp"

#include <nlohmann/json.hpp>

namespace vigia::server {

std::string renderWebhookEvent(const WebhookEvent& e) {
  nlohmann::ordered_json j;
  j["id"] = e.id;
  j["kind"] = e.stale_kind ? "stale" : "verdict";
  j["at"] = common::formatRfc3339Utc(e.at);
  j["host"] = {{"ip", e.host_ip}, {"hostname", e.hostname}};
  if (e.rule != nullptr) {
    j["rule"] = {{"id", e.rule->id},
                 {"title", e.rule->title},
                 {"severity", compliance::toString(e.rule->severity)}};
  } else {
    j["rule"] = nullptr;
  }
  j["from"] = e.from ? nlohmann::ordered_json(*e.from) : nlohmann::ordered_json(nullptr);
  j["to"] = e.to;
  j["report_id"] = e.report_id ? nlohmann::ordered_json(*e.report_id) : nullptr;
  // Agent text (host names) may hold anything: replace invalid UTF-8 rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vigia::server
