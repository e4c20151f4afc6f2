#include "server/api/router.hpp"

#include <cassert>

#include "server/api/query_params.hpp"

namespace vigia::server {

const std::string& PathParams::operator[](std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  assert(false && "no such parameter in the matched pattern");
  static const std::string kNone;
  return kNone;
}

std::string_view Call::query() const {
  const std::string_view target = request.target;
  const std::size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::vector<std::string> splitPath(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t end = std::min(path.find('/'), path.size());
    parts.push_back(percentDecode(path.substr(0, end), false));
    path.remove_prefix(end);
  }
  return parts;
}

Access accessByMethod(std::string_view method) {
  return method == "POST" ? Access::kIngest : Access::kRead;
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (const Route& route : routes_) {
    assert(route.pattern.starts_with('/') && route.handler != nullptr);
    std::vector<Segment> segments;
    std::string_view rest = route.pattern;
    while (!rest.empty()) {
      if (rest.front() == '/') {
        rest.remove_prefix(1);
        continue;
      }
      const std::string_view part = rest.substr(0, std::min(rest.find('/'), rest.size()));
      rest.remove_prefix(part.size());
      if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
        segments.push_back({part.substr(1, part.size() - 2), true});
      } else {
        assert(part.find_first_of("{}") == std::string_view::npos);
        segments.push_back({part, false});
      }
    }
    patterns_.push_back(std::move(segments));
  }
}

bool Router::matches(std::size_t row, const std::vector<std::string>& segments,
                     PathParams* params) const {
  const std::vector<Segment>& pattern = patterns_[row];
  if (pattern.size() != segments.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (!pattern[i].parameter && pattern[i].text != segments[i]) return false;
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i].parameter) params->add(pattern[i].text, segments[i]);
    }
  }
  return true;
}

const Route* Router::find(std::string_view method, const std::vector<std::string>& segments,
                          PathParams* params) const {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == method && matches(i, segments, params)) return &routes_[i];
  }
  return nullptr;
}

Access Router::access(std::string_view method, const std::vector<std::string>& segments) const {
  bool public_path = false;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!matches(i, segments, nullptr)) continue;
    if (routes_[i].method == method) return routes_[i].access;
    public_path = public_path || routes_[i].access == Access::kPublic;
  }
  return public_path ? Access::kPublic : accessByMethod(method);
}

std::string Router::allowedMethods(const std::vector<std::string>& segments) const {
  std::string allow;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!matches(i, segments, nullptr)) continue;
    const std::string_view method = routes_[i].method;
    // Two rows may share a method on overlapping patterns; name it once.
    bool listed = false;
    for (std::size_t j = 0; j < i && !listed; ++j) {
      listed = routes_[j].method == method && matches(j, segments, nullptr);
    }
    if (listed) continue;
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

}  // namespace vigia::server
