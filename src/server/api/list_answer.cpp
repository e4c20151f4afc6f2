#include "server/api/list_answer.hpp"

#include <charconv>

namespace vigia::server {

ApiResponse badQuery(const common::Error& e) {
  return errorResponse(400, "invalid_query", e.message);
}

ApiResponse unavailable(const common::Error& e) {
  return errorResponse(503, "storage_unavailable", e.message);
}

std::string cursorText(const ListCursor& c) {
  return std::to_string(c.key) + "." + std::to_string(c.id);
}

common::Result<std::optional<ListCursor>> cursorOf(const QueryParams& params) {
  auto text = params.text("cursor");
  if (!text) return std::optional<ListCursor>();
  const std::size_t dot = text->find('.');
  ListCursor c;
  const char* end = text->data() + text->size();
  bool ok = dot != std::string::npos;
  if (ok) {
    auto [p1, e1] = std::from_chars(text->data(), text->data() + dot, c.key);
    auto [p2, e2] = std::from_chars(text->data() + dot + 1, end, c.id);
    ok = e1 == std::errc() && p1 == text->data() + dot && e2 == std::errc() && p2 == end;
  }
  if (!ok) {
    return common::makeError(common::ErrorCode::kInvalidArgument,
                             "cursor: not one this server gave (use the \"next\" of an answer)");
  }
  return std::optional<ListCursor>(c);
}

ApiResponse jsonItems(Json items, const std::optional<std::string>& next, bool paged) {
  Json body = {{"items", std::move(items)}};
  if (paged) body["next"] = next ? Json(*next) : Json(nullptr);
  // Agents' text may hold any byte the validator let through as UTF-8; never throw on it.
  return jsonResponse(200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::vector<std::string> keysOf(const Json& sample) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : sample.items()) keys.push_back(k);
  return keys;
}

}  // namespace vigia::server
