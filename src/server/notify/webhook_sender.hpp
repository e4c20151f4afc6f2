#pragma once

// One webhook receiver (docs/compliance.md, [[compliance.webhooks]]), reached over HTTP or HTTPS
// with libcurl: POSTs one JSON event per call and says whether the receiver took it. It never
// retries, queues or sleeps; the outbox and its delivery loop decide what a retry means and
// when it happens (webhookRetryDelay, webhook_backoff.hpp).
//
// One sender keeps one connection (and TLS session) to its receiver alive across events.
// Thread-compatible: one thread uses a sender at a time; one sender per target and thread.
//
// The reason of an outcome is for logs: it never holds the bearer token, nor the URL's path or
// query, which for many receivers is the secret itself.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

struct WebhookTarget {
  std::string url;                          // http:// or https://; no redirect is followed
  std::optional<std::string> bearer_token;  // sent as "Authorization: Bearer <token>"
  // The whole attempt (connect, TLS, send, answer). Connecting gets at most kConnectTimeout of
  // it, so an address that swallows packets fails early.
  std::chrono::milliseconds timeout{10'000};

  static constexpr std::chrono::milliseconds kConnectTimeout{5'000};
};

enum class WebhookDelivery {
  kDelivered,  // the receiver answered 2xx
  kRetry,      // anything else: no connection, a timeout, a TLS failure, any other status
};

struct WebhookOutcome {
  WebhookDelivery delivery = WebhookDelivery::kRetry;
  long status = 0;     // the receiver's HTTP status; 0 when no answer came
  std::string reason;  // why it was not delivered, e.g. "HTTP 503"; empty when delivered
};

class WebhookSender {
 public:
  // Refuses, with a message that quotes neither URL nor token: a URL libcurl cannot parse, a
  // scheme other than http or https, no host, a token that cannot travel in a header, a
  // timeout that is not positive.
  static common::Result<std::unique_ptr<WebhookSender>> create(WebhookTarget target);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // One attempt: POST `body` with Content-Type: application/json and X-Vigia-Event-Id:
  // `event_id` (the id the receiver deduplicates on, since delivery is at least once). The
  // id must be header text (visible ASCII, no spaces), as a UUID is; any other is not sent
  // and comes back as a retry.
  WebhookOutcome post(std::string_view body, std::string_view event_id);

  // "https://hooks.example.com:443": where the sender posts, safe to log.
  const std::string& origin() const;

  class Impl;

 private:
  explicit WebhookSender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia::server
