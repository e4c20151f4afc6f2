#include "server/api/ingest.hpp"

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/time_util.hpp"
#include "common/validate.hpp"
#include "server/api/gzip.hpp"

namespace vigia::server {
namespace {

using Json = nlohmann::ordered_json;

// "application/json", any case, with or without parameters such as "; charset=utf-8".
bool isJsonContentType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (value.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kJson[i]) return false;
  }
  return true;
}

std::string lowerTrimmed(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c != ' ' && c != '\t')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

ApiResponse reject(Metrics& metrics, RejectReason reason, unsigned status, const std::string& code,
                   const std::string& detail) {
  metrics.reportRejected(reason);
  return errorResponse(status, code, detail);
}

}  // namespace

void ingestReport(const ApiContext& api, Call call) {
  const auto started = std::chrono::steady_clock::now();
  ApiRequest& request = call.request;
  Responder& respond = call.respond;
  Metrics& metrics = api.metrics;
  const std::size_t max_body_bytes = api.options.max_body_bytes;
  if (!isJsonContentType(request.content_type)) {
    return respond(reject(metrics, RejectReason::kUnsupportedMediaType, 415,
                          "unsupported_media_type", "Content-Type must be application/json"));
  }
  const std::string encoding = lowerTrimmed(request.content_encoding);
  if (encoding == "gzip") {
    auto inflated = gunzip(request.body, max_body_bytes);
    if (!inflated) {
      if (inflated.error().code == common::ErrorCode::kTooLarge) {
        return respond(reject(metrics, RejectReason::kTooLarge, 413, "body_too_large",
                              inflated.error().message));
      }
      return respond(reject(metrics, RejectReason::kInvalidReport, 400, "invalid_body",
                            inflated.error().message));
    }
    request.body = std::move(*inflated);
  } else if (!encoding.empty() && encoding != "identity") {
    return respond(reject(metrics, RejectReason::kUnsupportedMediaType, 415,
                          "unsupported_media_type", "Content-Encoding must be gzip or identity"));
  }
  if (request.body.size() > max_body_bytes) {
    return respond(reject(metrics, RejectReason::kTooLarge, 413, "body_too_large",
                          "body exceeds " + std::to_string(max_body_bytes) + " bytes"));
  }

  auto validated = common::parseAndValidate(request.body);
  if (!validated) {
    return respond(reject(metrics, RejectReason::kInvalidReport, 400, "invalid_report",
                          validated.error().message));
  }
  const std::string id = validated->report.report_id;
  if (api.options.discard_reports) {
    metrics.reportStored();
    return respond(jsonResponse(201, Json{{"id", id}, {"status", "stored"}}.dump()));
  }

  IngestItem item{std::move(*validated), std::move(request.body), common::nowUtc(),
                  std::move(request.peer_ip)};
  api.store.submit(
      std::move(item), [&metrics, id, started, respond = std::move(respond)](StoreResult result) {
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
        metrics.observeIngestLatency(elapsed.count());
        switch (result.outcome) {
          case StoreOutcome::kStored:
            metrics.reportStored();
            return respond(jsonResponse(201, Json{{"id", id}, {"status", "stored"}}.dump()));
          case StoreOutcome::kDuplicate:
            metrics.reportDuplicate();
            return respond(jsonResponse(200, Json{{"id", id}, {"status", "duplicate"}}.dump()));
          case StoreOutcome::kUnavailable: {
            metrics.storageError();
            ApiResponse r = reject(metrics, RejectReason::kUnavailable, 503, "storage_unavailable",
                                   result.detail);
            r.headers.emplace_back("Retry-After", "5");
            return respond(std::move(r));
          }
        }
      });
}

}  // namespace vigia::server
