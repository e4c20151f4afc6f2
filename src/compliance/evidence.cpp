#include "compliance/evidence.hpp"

#include "compliance/evaluate.hpp"

namespace vigia::compliance {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json orNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

bool Evidence::full() const { return entries_.size() >= kMaxEvidence; }

bool Evidence::addProcess(const common::Process& p) {
  if (full()) return false;
  Json e = Json::object();
  e["pid"] = p.pid;
  e["name"] = p.name;
  e["user"] = p.user;
  e["command"] = orNull(p.command);
  entries_.push_back(std::move(e));
  return !full();
}

bool Evidence::addSession(const common::Session& s) {
  if (full()) return false;
  Json e = Json::object();
  e["user"] = s.user;
  e["tty"] = s.tty;
  e["remote_host"] = orNull(s.remote_host);
  e["login_time"] = orNull(s.login_time);
  e["pid"] = orNull(s.pid);
  entries_.push_back(std::move(e));
  return !full();
}

void Evidence::addField(std::string_view field, const std::optional<std::string>& value) {
  if (full()) return;
  Json e = Json::object();
  e["field"] = field;
  e["value"] = orNull(value);
  entries_.push_back(std::move(e));
}

std::string Evidence::render() const {
  if (entries_.empty()) return "[]";
  // A report's strings are valid UTF-8 once validated; replace rather than throw on one that
  // was not (a report read by `vigia-agent check`).
  return entries_.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace vigia::compliance
