#include "server/notify/webhook_deliverer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "server/notify/webhook_backoff.hpp"
#include "server/notify/webhook_sender.hpp"
#include "server/storage/compliance/webhook_outbox.hpp"

namespace vigia::server {
namespace {

// How often an idle receiver's queue is looked at: events reach it within this.
constexpr auto kPoll = std::chrono::milliseconds(1000);
constexpr auto kPostTimeout = std::chrono::seconds(10);
constexpr int kEventsPerRead = 100;

}  // namespace

common::Result<std::unique_ptr<WebhookDeliverer>> WebhookDeliverer::start(
    ReportStore& store, const std::vector<WebhookConfig>& webhooks, Metrics& metrics) {
  auto outbox = store.openOutbox();
  if (!outbox) return outbox.error();
  std::vector<std::string> urls;
  for (const auto& hook : webhooks) urls.push_back(hook.url);
  auto dropped = (*outbox)->dropAllBut(urls);
  if (!dropped) return dropped.error();
  if (*dropped > 0) {
    spdlog::warn("webhooks: {} queued event(s) of receivers no longer configured dropped",
                 *dropped);
  }
  std::unique_ptr<WebhookDeliverer> delivery(new WebhookDeliverer(store, metrics));
  for (const auto& hook : webhooks) {
    delivery->threads_.emplace_back([d = delivery.get(), hook] { d->deliver(hook); });
  }
  return delivery;
}

WebhookDeliverer::~WebhookDeliverer() { stop(); }

void WebhookDeliverer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool WebhookDeliverer::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

void WebhookDeliverer::deliver(WebhookConfig hook) {
  ::pthread_setname_np(::pthread_self(), "vigia-webhook");
  auto outbox = store_.openOutbox();
  auto sender = WebhookSender::create(
      {hook.url, hook.token, std::chrono::duration_cast<std::chrono::milliseconds>(kPostTimeout)});
  if (!outbox || !sender) {
    // Not the URL: its path and query are the secret of many receivers.
    spdlog::error("a webhook cannot start: {}",
                  !outbox ? outbox.error().message : sender.error().message);
    return;
  }
  const std::string name = (*sender)->origin();
  int failures = 0;  // in a row
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto events = (*outbox)->pending(hook.url, 0, kEventsPerRead);
    if (!events) {
      spdlog::warn("webhook {}: reading the outbox: {}", name, events.error().message);
      if (!pause(std::chrono::seconds(5))) return;
      continue;
    }
    if (events->empty()) {
      if (!pause(kPoll)) return;
      continue;
    }
    for (const auto& event : *events) {
      const auto outcome = (*sender)->post(event.body, event.event_id);
      if (outcome.delivery != WebhookDelivery::kDelivered) {
        ++failures;
        metrics_.webhookAttempt(false);
        // The first failure and then every tenth: a dead receiver must not flood the log.
        if (failures == 1 || failures % 10 == 0) {
          spdlog::warn("webhook {}: event {} not delivered ({}); attempt {}, retrying", name,
                       event.event_id, outcome.reason, failures);
        }
        if (!pause(webhookRetryDelay(failures))) return;
        break;
      }
      if (failures > 0) spdlog::info("webhook {}: delivering again", name);
      failures = 0;
      metrics_.webhookAttempt(true);
      if (auto st = (*outbox)->remove(event.id); !st) {
        // Delivered but still queued: it will be delivered again, with the same id.
        spdlog::warn("webhook {}: removing event {}: {}", name, event.event_id, st.error().message);
        if (!pause(std::chrono::seconds(1))) return;
        break;
      }
    }
  }
}

}  // namespace vigia::server
