#include "server/api/metrics.hpp"

#include <cstdio>

namespace vigia::server {
namespace {

constexpr const char* kReasonLabels[] = {"invalid_report",         "too_large",
                                         "unsupported_media_type", "storage_unavailable",
                                         "unauthorized",           "rate_limited"};
static_assert(std::size(kReasonLabels) == static_cast<std::size_t>(RejectReason::kCount));
constexpr const char* kDenyLabels[] = {"unauthorized", "forbidden", "rate_limited"};
static_assert(std::size(kDenyLabels) == static_cast<std::size_t>(DenyReason::kCount));

void sample(std::string& out, const std::string& name, unsigned long long value) {
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

std::string formatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void Metrics::reportRejected(RejectReason reason) {
  rejected_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::requestDenied(DenyReason reason) {
  denied_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observeIngestLatency(double seconds) {
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::render(std::int64_t known_servers, std::string_view more) const {
  const auto get = [](const auto& a) {
    return static_cast<unsigned long long>(a.load(std::memory_order_relaxed));
  };
  std::string out;
  out += "# HELP vigia_reports_stored_total Reports stored in every store.\n";
  out += "# TYPE vigia_reports_stored_total counter\n";
  sample(out, "vigia_reports_stored_total", get(stored_));
  out += "# HELP vigia_reports_duplicate_total Reports answered as duplicates (already stored).\n";
  out += "# TYPE vigia_reports_duplicate_total counter\n";
  sample(out, "vigia_reports_duplicate_total", get(duplicates_));
  out += "# HELP vigia_reports_rejected_total Reports not stored, by reason.\n";
  out += "# TYPE vigia_reports_rejected_total counter\n";
  for (std::size_t i = 0; i < rejected_.size(); ++i) {
    sample(out, std::string("vigia_reports_rejected_total{reason=\"") + kReasonLabels[i] + "\"}",
           get(rejected_[i]));
  }
  out += "# HELP vigia_storage_errors_total Batches that failed to store (disk full, I/O error).\n";
  out += "# TYPE vigia_storage_errors_total counter\n";
  sample(out, "vigia_storage_errors_total", get(storage_errors_));
  out += "# HELP vigia_ingest_latency_seconds Time from a complete request to its answer.\n";
  out += "# TYPE vigia_ingest_latency_seconds histogram\n";
  unsigned long long cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += get(latency_buckets_[i]);
    sample(out,
           "vigia_ingest_latency_seconds_bucket{le=\"" + formatDouble(kLatencyBuckets[i]) + "\"}",
           cumulative);
  }
  sample(out, "vigia_ingest_latency_seconds_bucket{le=\"+Inf\"}", get(latency_count_));
  out += "vigia_ingest_latency_seconds_sum " +
         formatDouble(static_cast<double>(get(latency_sum_us_)) / 1e6) + "\n";
  sample(out, "vigia_ingest_latency_seconds_count", get(latency_count_));
  out += "# HELP vigia_known_servers Servers that have reported at least once.\n";
  out += "# TYPE vigia_known_servers gauge\n";
  out += "vigia_known_servers " + std::to_string(known_servers) + "\n";
  out += "# HELP vigia_http_connections_open Open HTTP connections.\n";
  out += "# TYPE vigia_http_connections_open gauge\n";
  out += "vigia_http_connections_open " + std::to_string(openConnections()) + "\n";
  out += "# HELP vigia_http_connections_refused_total Connections closed at once: cap reached.\n";
  out += "# TYPE vigia_http_connections_refused_total counter\n";
  sample(out, "vigia_http_connections_refused_total", get(connections_refused_));
  out +=
      "# HELP vigia_http_timeouts_total Requests dropped for exceeding a read or write timeout.\n";
  out += "# TYPE vigia_http_timeouts_total counter\n";
  sample(out, "vigia_http_timeouts_total", get(timeouts_));
  out += "# HELP vigia_http_requests_denied_total Requests refused before routing, by reason.\n";
  out += "# TYPE vigia_http_requests_denied_total counter\n";
  for (std::size_t i = 0; i < denied_.size(); ++i) {
    sample(out, std::string("vigia_http_requests_denied_total{reason=\"") + kDenyLabels[i] + "\"}",
           get(denied_[i]));
  }
  out +=
      "# HELP vigia_http_tls_handshake_failures_total TLS handshakes that failed (plain HTTP, "
      "untrusted or missing client certificate, old protocol).\n";
  out += "# TYPE vigia_http_tls_handshake_failures_total counter\n";
  sample(out, "vigia_http_tls_handshake_failures_total", get(tls_handshake_failures_));
  out += "# HELP vigia_policy_reloads_total SIGHUP reloads of the policy files, by outcome.\n";
  out += "# TYPE vigia_policy_reloads_total counter\n";
  sample(out, "vigia_policy_reloads_total{outcome=\"loaded\"}", get(policy_reloads_));
  sample(out, "vigia_policy_reloads_total{outcome=\"refused\"}", get(policy_reload_failures_));
  out +=
      "# HELP vigia_policy_last_reload_ok 0 when the last reload was refused (the policy in force "
      "is the one loaded before it).\n";
  out += "# TYPE vigia_policy_last_reload_ok gauge\n";
  out += std::string("vigia_policy_last_reload_ok ") +
         (policy_reload_ok_.load(std::memory_order_relaxed) ? "1" : "0") + "\n";
  out += "# HELP vigia_webhook_attempts_total Webhook posts, by outcome (failed: retried).\n";
  out += "# TYPE vigia_webhook_attempts_total counter\n";
  sample(out, "vigia_webhook_attempts_total{outcome=\"delivered\"}", get(webhooks_delivered_));
  sample(out, "vigia_webhook_attempts_total{outcome=\"failed\"}", get(webhooks_failed_));
  out += more;
  return out;
}

}  // namespace vigia::server
