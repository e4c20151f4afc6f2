#pragma once

// A minimal blocking HTTP/1.1 client over 127.0.0.1 for end-to-end tests (Boost.Beast).

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vigia::test {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{30000};
};

HttpReply httpRequest(unsigned short port, const HttpCall& call);

HttpReply httpGet(unsigned short port, const std::string& target);
HttpReply httpCall(unsigned short port, const std::string& method, const std::string& target);

// POST /api/v1/reports with Content-Type: application/json.
HttpReply postReport(unsigned short port, const std::string& body);

}  // namespace vigia::test
