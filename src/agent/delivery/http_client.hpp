#pragma once

// POSTs one report to the server over libcurl, which brings TLS (system trust store or a CA
// file, client certificates), proxies from the standard environment variables, and timeouts.
// One client keeps one connection (and TLS session) alive across reports and cycles.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::agent {

struct HttpClientOptions {
  std::string server;  // base URL; the client posts to <server>/api/v1/reports
  std::string token;   // empty: no Authorization header
  std::filesystem::path ca_file;
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::chrono::seconds connect_timeout{10};
};

struct PostResult {
  long status = 0;    // 0: no HTTP answer (see error)
  std::string error;  // transport error when status is 0
  std::string body;   // the answer, cut at 64 KiB
  std::optional<std::chrono::seconds> retry_after;
};

class HttpClient {
 public:
  static common::Result<std::unique_ptr<HttpClient>> create(const HttpClientOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One attempt, with no retry: the delivery loop decides what to do with the outcome.
  PostResult postReport(std::string_view gzipped_json, std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "120" or an HTTP date → how long to wait from `now`; nullopt when unparseable.
std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// The endpoint for a base URL: "https://h:1/" and "https://h:1" both give
// "https://h:1/api/v1/reports"; a path prefix (behind a reverse proxy) is kept.
std::string reportsEndpoint(std::string_view server);

}  // namespace vigia::agent
