#pragma once

// A route table: rows of (method, path pattern, access, handler). One table (routes.cpp) is the
// only place that knows the API's paths: the gate asks it which access a request needs, the
// dispatcher which handler answers, and a 405 which methods a path has. Adding an endpoint is a
// handler and a row.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/api/api_context.hpp"
#include "server/api/api_types.hpp"
#include "server/api/auth.hpp"

namespace vigia::server {

// The {parameters} of a matched path, decoded, by the names the pattern gives them.
class PathParams {
 public:
  // The value of {name}; the name must be one of the matched pattern's.
  const std::string& operator[](std::string_view name) const;
  void add(std::string_view name, std::string value) {
    values_.emplace_back(name, std::move(value));
  }
  void clear() { values_.clear(); }
  std::size_t size() const { return values_.size(); }

 private:
  std::vector<std::pair<std::string_view, std::string>> values_;  // names point into the table
};

// What a handler gets: the request, its path parameters, and the one way to answer.
struct Call {
  ApiRequest request;
  PathParams params;
  Responder respond;  // exactly once, before returning or later from another thread

  // The target after '?', empty when there is none.
  std::string_view query() const;
};

// Answers through call.respond, now or later from another thread (POST /api/v1/reports).
using Handler = void (*)(const ApiContext& context, Call call);

// A handler that answers at once: a plain function from request to response. Most are; a row
// names one as answerNow<fn>.
using Answer = ApiResponse (*)(const ApiContext& context, const Call& call);

template <Answer answer>
void answerNow(const ApiContext& context, Call call) {
  call.respond(answer(context, call));
}

struct Route {
  std::string_view method;   // "GET", "POST", …; compared exactly, as HTTP methods are
  std::string_view pattern;  // "/api/v1/servers/{ip}/reports": literal segments and {name}s
  Access access;
  Handler handler;
};

// The path of a target (before '?'), split at '/' with empty segments dropped (so "//healthz/"
// is /healthz) and each segment percent-decoded.
std::vector<std::string> splitPath(std::string_view target);

class Router {
 public:
  // Patterns are string literals (their names are kept by reference). Rows are tried in order;
  // a malformed pattern is a programmer error.
  explicit Router(std::vector<Route> routes);

  std::span<const Route> routes() const { return routes_; }

  // The first row whose method and path match, its parameters in `params`; nullptr when none.
  const Route* find(std::string_view method, const std::vector<std::string>& segments,
                    PathParams* params = nullptr) const;

  // Which access a request needs, decided before it is routed:
  //   - a row with this method and path: that row's;
  //   - a path that only public rows have (other methods): public, since a 405 there reveals
  //     nothing the rows do not already make public;
  //   - any other request, known path or not: by its method alone (POST ingest, others read),
  //     so a client without the right kind of token learns nothing about which paths exist.
  // The third rule only hides paths while every non-public row follows it too; routes_test
  // holds the table to that.
  Access access(std::string_view method, const std::vector<std::string>& segments) const;

  // The methods of the rows whose path matches, in table order ("GET, POST"): the Allow header
  // of a 405. Empty when no row has this path.
  std::string allowedMethods(const std::vector<std::string>& segments) const;

 private:
  struct Segment {
    std::string_view text;  // the literal, or the parameter's name
    bool parameter;
  };
  bool matches(std::size_t row, const std::vector<std::string>& segments, PathParams* params) const;

  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // routes_[i].pattern, split once
};

// What a request of `method` needs when no row tells: POST ingest, anything else read.
Access accessByMethod(std::string_view method);

}  // namespace vigia::server
