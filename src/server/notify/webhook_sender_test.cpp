// WebhookSender against a real receiver on 127.0.0.1 (tests/support/webhook_receiver): which
// answers deliver and which are retried, a refused connection, a receiver that never answers,
// the headers and the exact body, one connection across posts, and URLs refused up front.

#include "server/notify/webhook_sender.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "webhook_receiver.hpp"

namespace vigia::server {
namespace {

using std::chrono::milliseconds;

constexpr const char* kEventId = "0b7e7a52-4c1f-4b8e-9a53-2f64a2b4d1c9";

std::unique_ptr<WebhookSender> sender(const std::string& url,
                                      std::optional<std::string> token = std::nullopt,
                                      milliseconds timeout = milliseconds(5'000)) {
  auto created = WebhookSender::create({url, std::move(token), timeout});
  EXPECT_TRUE(created.ok()) << created.error().message;
  return created.ok() ? std::move(*created) : nullptr;
}

TEST(WebhookSender, TwoHundredAndTwoHundredFourAreDelivered) {
  test::WebhookReceiver receiver;
  auto s = sender(receiver.url());
  ASSERT_NE(s, nullptr);
  for (unsigned status : {200u, 204u, 202u}) {
    receiver.answerWith(status);
    const WebhookOutcome o = s->post(R"({"id":"x"})", kEventId);
    EXPECT_EQ(o.delivery, WebhookDelivery::kDelivered) << status << ": " << o.reason;
    EXPECT_EQ(o.status, static_cast<long>(status));
    EXPECT_EQ(o.reason, "");
  }
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST(WebhookSender, AnyOtherStatusIsARetryAndNoRedirectIsFollowed) {
  test::WebhookReceiver receiver;
  auto s = sender(receiver.url());
  ASSERT_NE(s, nullptr);
  for (unsigned status : {500u, 503u, 404u, 400u, 401u, 429u}) {
    receiver.answerWith(status);
    const WebhookOutcome o = s->post("{}", kEventId);
    EXPECT_EQ(o.delivery, WebhookDelivery::kRetry) << status;
    EXPECT_EQ(o.status, static_cast<long>(status));
    EXPECT_EQ(o.reason, "HTTP " + std::to_string(status));
  }
  receiver.answerWith(307, {{"Location", receiver.url("/elsewhere")}});
  const WebhookOutcome moved = s->post("{}", kEventId);
  EXPECT_EQ(moved.delivery, WebhookDelivery::kRetry);
  EXPECT_EQ(moved.status, 307);
  EXPECT_NE(moved.reason.find("redirects are not followed"), std::string::npos) << moved.reason;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 7u);
  EXPECT_EQ(requests.back().target, "/hook");
}

TEST(WebhookSender, ARefusedConnectionIsARetry) {
  // A port bound by this test and never listened on: a connection to it is refused.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket unused(io);
  const boost::asio::ip::tcp::endpoint any(boost::asio::ip::make_address("127.0.0.1"), 0);
  unused.open(any.protocol());
  unused.bind(any);
  const auto port = unused.local_endpoint().port();

  auto s = sender("http://127.0.0.1:" + std::to_string(port) + "/hook", "tok-secret-1");
  ASSERT_NE(s, nullptr);
  const auto started = std::chrono::steady_clock::now();
  const WebhookOutcome o = s->post("{}", kEventId);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(o.delivery, WebhookDelivery::kRetry);
  EXPECT_EQ(o.status, 0);
  EXPECT_FALSE(o.reason.empty());
  EXPECT_EQ(o.reason.find("tok-secret-1"), std::string::npos) << o.reason;
}

TEST(WebhookSender, AReceiverThatNeverAnswersTimesOutOnTime) {
  test::WebhookReceiver receiver;
  receiver.hang(true);
  const milliseconds timeout(400);
  auto s = sender(receiver.url(), std::nullopt, timeout);
  ASSERT_NE(s, nullptr);
  const auto started = std::chrono::steady_clock::now();
  const WebhookOutcome o = s->post("{}", kEventId);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(o.delivery, WebhookDelivery::kRetry);
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.reason.find("timed out"), std::string::npos) << o.reason;
  EXPECT_GE(elapsed, timeout - milliseconds(50));
  EXPECT_LT(elapsed, timeout + milliseconds(1'500));
  EXPECT_EQ(receiver.requests().size(), 1u);  // it arrived, and was never answered

  // The same sender goes on once the receiver answers again, on a new connection.
  receiver.hang(false);
  const WebhookOutcome again = s->post("{}", kEventId);
  EXPECT_EQ(again.delivery, WebhookDelivery::kDelivered) << again.reason;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].connection, requests[1].connection);
}

TEST(WebhookSender, SendsTheBodyExactlyWithItsHeaders) {
  test::WebhookReceiver receiver;
  auto with_token = sender(receiver.url("/hooks/vigia?team=sec"), "s3cret.token-1");
  ASSERT_NE(with_token, nullptr);
  // Multi-byte UTF-8, escapes and more than one socket write's worth of bytes.
  std::string body = R"({"id":"e1","host":{"hostname":"caf\u00e9-ñ-01"},"note":")";
  while (body.size() < 300'000) body += "line\\n\\\"quoted\\\" é ";
  body += "\"}";
  ASSERT_EQ(with_token->post(body, kEventId).delivery, WebhookDelivery::kDelivered);

  auto without = sender(receiver.url());
  ASSERT_NE(without, nullptr);
  ASSERT_EQ(without->post("{}", "evt-2").delivery, WebhookDelivery::kDelivered);

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& first = requests[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.target, "/hooks/vigia?team=sec");
  EXPECT_EQ(first.body, body);
  EXPECT_EQ(first.headers.at("content-type"), "application/json");
  EXPECT_EQ(first.headers.at("content-length"), std::to_string(body.size()));
  EXPECT_EQ(first.headers.at("authorization"), "Bearer s3cret.token-1");
  EXPECT_EQ(first.headers.at("x-vigia-event-id"), kEventId);
  EXPECT_EQ(first.headers.count("expect"), 0u);
  EXPECT_EQ(first.headers.at("user-agent"), "vigia-server/" VIGIA_VERSION);

  const auto& second = requests[1];
  EXPECT_EQ(second.body, "{}");
  EXPECT_EQ(second.headers.count("authorization"), 0u);
  EXPECT_EQ(second.headers.at("x-vigia-event-id"), "evt-2");
}

TEST(WebhookSender, OneConnectionCarriesPostAfterPost) {
  test::WebhookReceiver receiver;
  auto s = sender(receiver.url());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->post("{\"n\":1}", kEventId).delivery, WebhookDelivery::kDelivered);
  receiver.answerWith(500);  // a refusal leaves the connection usable
  EXPECT_EQ(s->post("{\"n\":2}", kEventId).delivery, WebhookDelivery::kRetry);
  receiver.answerWith(204);
  EXPECT_EQ(s->post("{\"n\":3}", kEventId).delivery, WebhookDelivery::kDelivered);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) EXPECT_EQ(r.connection, 1) << r.body;
}

TEST(WebhookSender, AnEventIdThatIsNotHeaderTextIsNotSent) {
  test::WebhookReceiver receiver;
  auto s = sender(receiver.url());
  ASSERT_NE(s, nullptr);
  for (std::string_view id :
       {std::string_view(""), std::string_view("a\r\nX-Evil: 1"), std::string_view("has space")}) {
    const WebhookOutcome o = s->post("{}", id);
    EXPECT_EQ(o.delivery, WebhookDelivery::kRetry);
    EXPECT_NE(o.reason.find("event id"), std::string::npos) << o.reason;
  }
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(WebhookSender, BadTargetsAreRefusedWithoutQuotingThem) {
  struct Case {
    std::string url;
    std::optional<std::string> token;
    milliseconds timeout;
    const char* message;
  };
  const milliseconds ok(1'000);
  const Case cases[] = {
      {"ftp://user:pw-secret@example.com/x", std::nullopt, ok, "http:// or https://"},
      {"file:///etc/secret", std::nullopt, ok, "http:// or https://"},
      {"gopher://example.com/secret", std::nullopt, ok, "http:// or https://"},
      {"example.com/secret", std::nullopt, ok, "http:// or https://"},
      {"", std::nullopt, ok, "http:// or https://"},
      {"http:///secret", std::nullopt, ok, "http:// or https://"},
      {"https:/secret", std::nullopt, ok, "http:// or https://"},
      {"http://exa mple.com/secret", std::nullopt, ok, "not a URL"},
      {"http://example.com:99999/secret", std::nullopt, ok, "not a URL"},
      {"http://@/secret", std::nullopt, ok, "host"},
      {"https://example.com/", std::string("two secret words"), ok, "visible ASCII"},
      {"https://example.com/", std::string("secret\r\nX: y"), ok, "visible ASCII"},
      {"https://example.com/", std::string(""), ok, "visible ASCII"},
      {"https://example.com/", std::nullopt, milliseconds(0), "timeout must be positive"},
  };
  for (const auto& c : cases) {
    auto created = WebhookSender::create({c.url, c.token, c.timeout});
    ASSERT_FALSE(created.ok()) << c.url;
    EXPECT_NE(created.error().message.find(c.message), std::string::npos)
        << c.url << " → " << created.error().message;
    EXPECT_EQ(created.error().message.find("secret"), std::string::npos) << created.error().message;
  }
  for (const char* url : {"http://127.0.0.1:9/x", "HTTPS://hooks.example.com/services/T/B/x",
                          "http://[::1]:8080/", "https://hooks.example.com"}) {
    EXPECT_TRUE(WebhookSender::create({url, std::nullopt, ok}).ok()) << url;
  }
}

TEST(WebhookSender, TheOriginIsWhatIsSafeToLogOfTheUrl) {
  auto s =
      sender("https://hooks.example.com/services/T0/B0/pathsecret?k=querysecret", "tokensecret");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->origin(), "https://hooks.example.com:443");
  auto local = sender("http://[::1]:8080/x");
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->origin(), "http://[::1]:8080");
}

}  // namespace
}  // namespace vigia::server
