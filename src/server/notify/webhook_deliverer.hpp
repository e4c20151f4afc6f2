#pragma once

// Delivers the webhook outbox (docs/compliance.md, "Webhooks"): one thread per receiver, each
// posting its receiver's events oldest first and removing an event only once the receiver
// answered 2xx. A receiver that fails is retried with backoff; being slow or dead holds up
// only its own events, never ingest (the writer only adds rows to the outbox) nor another
// receiver.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/api/metrics.hpp"
#include "server/storage/compliance/compliance_options.hpp"
#include "server/storage/report_store.hpp"

namespace vigia::server {

class WebhookDeliverer {
 public:
  // Drops the queued events of receivers no longer configured, then starts a thread per
  // receiver. Nothing to do (no receiver): no thread.
  static common::Result<std::unique_ptr<WebhookDeliverer>> start(
      ReportStore& store, const std::vector<WebhookConfig>& webhooks, Metrics& metrics);
  ~WebhookDeliverer();  // stop()
  WebhookDeliverer(const WebhookDeliverer&) = delete;
  WebhookDeliverer& operator=(const WebhookDeliverer&) = delete;

  // Returns once every thread is done: at most one post's timeout.
  void stop();

 private:
  WebhookDeliverer(ReportStore& store, Metrics& metrics) : store_(store), metrics_(metrics) {}
  void deliver(WebhookConfig hook);
  // Waits `d` unless stopped meanwhile; false when stopping.
  bool pause(std::chrono::milliseconds d);

  ReportStore& store_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigia::server
