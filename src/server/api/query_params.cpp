#include "server/api/query_params.hpp"

#include <algorithm>
#include <charconv>

#include "common/identifiers.hpp"

namespace vigia::server {
namespace {

common::Error invalid(const std::string& detail) {
  return common::makeError(common::ErrorCode::kInvalidArgument, detail);
}

}  // namespace

std::string percentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      unsigned value = 0;
      auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc() && ptr == text.data() + i + 3) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

common::Result<QueryParams> QueryParams::parse(std::string_view query,
                                               const std::vector<std::string_view>& allowed) {
  QueryParams params;
  while (!query.empty()) {
    const std::size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(std::min(amp + 1, query.size()));
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key = percentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1), true);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (const auto a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return invalid(key.substr(0, 64) + ": unknown parameter (known: " + known + ")");
    }
    if (key == "format" && value != "csv" && value != "json") {
      return invalid("format: expected csv or json");
    }
    if (!params.values_.emplace(key, std::move(value)).second) {
      return invalid(key + ": given twice");
    }
  }
  return params;
}

std::optional<std::string> QueryParams::text(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

common::Result<std::optional<std::int64_t>> QueryParams::integer(const std::string& key,
                                                                 std::int64_t min,
                                                                 std::int64_t max) const {
  auto v = text(key);
  if (!v) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < min || n > max) {
    return invalid(key + ": expected an integer from " + std::to_string(min) + " to " +
                   std::to_string(max));
  }
  return std::optional<std::int64_t>(n);
}

common::Result<std::optional<common::Timestamp>> QueryParams::time(const std::string& key) const {
  auto v = text(key);
  if (!v) return std::optional<common::Timestamp>();
  auto t = common::parseRfc3339(*v);
  if (!t) return invalid(key + ": " + t.error().message);
  return std::optional<common::Timestamp>(*t);
}

common::Result<std::optional<std::string>> QueryParams::ip(const std::string& key) const {
  auto v = text(key);
  if (!v) return std::optional<std::string>();
  auto canonical = common::canonicalIp(*v);
  if (!canonical) return invalid(key + ": not an IP address");
  return std::optional<std::string>(*canonical);
}

bool QueryParams::csv() const { return text("format") == "csv"; }

}  // namespace vigia::server
