#pragma once

// Counters for /metrics (Prometheus text format 0.0.4). Lock-free: updated from the I/O
// threads and the storage writer.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigia::server {

enum class RejectReason {
  kInvalidReport,         // 400
  kTooLarge,              // 413
  kUnsupportedMediaType,  // 415
  kUnavailable,           // 503
  kUnauthorized,          // 401/403
  kRateLimited,           // 429
  kCount
};

// Requests refused before routing (any endpoint), by reason.
enum class DenyReason {
  kUnauthorized,  // 401
  kForbidden,     // 403
  kRateLimited,   // 429
  kCount
};

class Metrics {
 public:
  // Upper bounds of the ingest latency histogram, seconds.
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  void reportStored() { stored_.fetch_add(1, std::memory_order_relaxed); }
  void reportDuplicate() { duplicates_.fetch_add(1, std::memory_order_relaxed); }
  void reportRejected(RejectReason reason);
  void storageError() { storage_errors_.fetch_add(1, std::memory_order_relaxed); }
  void observeIngestLatency(double seconds);
  void connectionRefused() { connections_refused_.fetch_add(1, std::memory_order_relaxed); }
  void connectionOpened() { connections_open_.fetch_add(1, std::memory_order_relaxed); }
  void connectionClosed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  void requestTimedOut() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  void requestDenied(DenyReason reason);
  void tlsHandshakeFailed() { tls_handshake_failures_.fetch_add(1, std::memory_order_relaxed); }

  // SIGHUP: the policy files were read again, and were good (or not: the old policy stays).
  void policyReloaded(bool ok) {
    (ok ? policy_reloads_ : policy_reload_failures_).fetch_add(1, std::memory_order_relaxed);
    policy_reload_ok_.store(ok, std::memory_order_relaxed);
  }

  void webhookAttempt(bool delivered) {
    (delivered ? webhooks_delivered_ : webhooks_failed_).fetch_add(1, std::memory_order_relaxed);
  }

  std::int64_t openConnections() const { return connections_open_.load(std::memory_order_relaxed); }

  // `known_servers` comes from the store at scrape time; `more` is appended (the compliance
  // gauges, also worked out at scrape time).
  std::string render(std::int64_t known_servers, std::string_view more = {}) const;

 private:
  std::atomic<std::uint64_t> stored_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(RejectReason::kCount)>
      rejected_{};
  std::atomic<std::uint64_t> storage_errors_{0};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> latency_buckets_{};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(DenyReason::kCount)> denied_{};
  std::atomic<std::uint64_t> tls_handshake_failures_{0};
  std::atomic<std::uint64_t> policy_reloads_{0};
  std::atomic<std::uint64_t> policy_reload_failures_{0};
  std::atomic<bool> policy_reload_ok_{true};
  std::atomic<std::uint64_t> webhooks_delivered_{0};
  std::atomic<std::uint64_t> webhooks_failed_{0};
};

}  // namespace vigia::server
