#pragma once

// The API's view of HTTP: plain values in and out, so handlers are testable without a socket.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace vigia::server {

struct ApiRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, as received
  std::string content_type;
  std::string content_encoding;
  std::string authorization;
  std::string body;
  std::string peer_ip;  // canonical
};

// A body made piece by piece while it is sent (chunked transfer): a CSV export of every
// matching item is never held in memory at once.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Appends the next piece to `out`; false once the body is complete (with or without a last
  // piece). An error ends the transfer unfinished, so the client sees it was cut short.
  virtual common::Result<bool> next(std::string& out) = 0;
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;  // unless `stream` is set
  std::shared_ptr<BodyStream> stream;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Responder = std::function<void(ApiResponse)>;

// Every error answer of docs/api.md: {"error": code, "detail": …}.
ApiResponse errorResponse(unsigned status, const std::string& code, const std::string& detail);
ApiResponse jsonResponse(unsigned status, std::string body);

}  // namespace vigia::server
