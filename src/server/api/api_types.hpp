#pragma once

// The API's view of HTTP: plain values in and out, so handlers are testable without a socket.

#include <functional>
#include <string>
#include <utility>
#include <vector>

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

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Responder = std::function<void(ApiResponse)>;

// Every error answer of SPEC §3: {"error": code, "detail": …}.
ApiResponse errorResponse(unsigned status, const std::string& code, const std::string& detail);
ApiResponse jsonResponse(unsigned status, std::string body);

}  // namespace vigia::server
