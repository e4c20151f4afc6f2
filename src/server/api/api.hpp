#pragma once

// Request → response, for every endpoint of SPEC §3. No sockets here: the HTTP layer turns
// bytes into ApiRequest and ApiResponse back into bytes.

#include <chrono>
#include <cstddef>

#include "server/api/api_types.hpp"
#include "server/api/metrics.hpp"
#include "server/storage/report_store.hpp"

namespace vigia::server {

struct ApiOptions {
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // after decompression too
  // Benchmark only: validate and answer 201 without storing (the HTTP+parse+validate ceiling).
  bool discard_reports = false;
};

class Api {
 public:
  Api(ReportStore& store, Metrics& metrics, ApiOptions options)
      : store_(store), metrics_(metrics), options_(options) {}

  // Answers through `respond` exactly once, either before returning or later from the storage
  // writer thread (POST /api/v1/reports).
  void handle(ApiRequest request, Responder respond);

  const ApiOptions& options() const { return options_; }

 private:
  void ingest(ApiRequest request, Responder respond);
  ApiResponse listServers();
  ApiResponse listReports(const std::string& ip, std::string_view query);
  ApiResponse getReport(const std::string& id);
  ApiResponse reject(RejectReason reason, unsigned status, const std::string& code,
                     const std::string& detail);

  ReportStore& store_;
  Metrics& metrics_;
  ApiOptions options_;
};

// Percent-decoding of a path segment or query value ('+' is a space only in queries).
std::string percentDecode(std::string_view text, bool plus_is_space);

}  // namespace vigia::server
