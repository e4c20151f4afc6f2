// The gate in front of the routes (Api::admit), without a socket: rate limit before token,
// /healthz exempt from both, the RFC 6750 challenges, and the counters. A real store in a temp
// dir answers what gets through.

#include <gtest/gtest.h>

#include <future>
#include <random>

#include "server/api/api.hpp"
#include "test_report.hpp"

namespace vigia::server {
namespace {

class ApiGate : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-gate-test-" + std::to_string(std::random_device{}()));
  std::unique_ptr<ReportStore> store_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;

  void SetUp() override {
    StoreOptions options;
    options.data_dir = dir_;
    options.fsync = false;
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    start(/*burst=*/1000);
  }
  void TearDown() override {
    api_.reset();
    store_->stop();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A rate so low that no token comes back during the test: exactly `burst` requests pass.
  void start(double burst) {
    ApiOptions options;
    options.auth.ingest.push_back(sha256("ingest-token"));
    options.auth.read.push_back(sha256("read-token"));
    options.rate_limit.requests_per_second = 0.001;
    options.rate_limit.burst = burst;
    api_ = std::make_unique<Api>(*store_, metrics_, std::move(options));
  }

  static ApiRequest request(std::string method, std::string target, std::string authorization,
                            std::string peer = "10.1.2.3") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.authorization = std::move(authorization);
    r.peer_ip = std::move(peer);
    r.content_type = "application/json";
    return r;
  }

  ApiResponse call(ApiRequest r) {
    std::promise<ApiResponse> answer;
    api_->handle(std::move(r), [&](ApiResponse a) { answer.set_value(std::move(a)); });
    return answer.get_future().get();
  }

  static std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }

  long long metric(const std::string& series) {
    const std::string body = metrics_.render(0);
    const auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + series.size() + 2));
  }
};

TEST_F(ApiGate, ChallengesFollowRfc6750AndNeverQuoteTheToken) {
  const auto missing = call(request("GET", "/api/v1/servers", ""));
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(header(missing, "WWW-Authenticate"), "Bearer realm=\"vigia\"");

  const auto unknown = call(request("GET", "/api/v1/servers", "Bearer not-a-token"));
  EXPECT_EQ(unknown.status, 401u);
  EXPECT_EQ(header(unknown, "WWW-Authenticate"), "Bearer realm=\"vigia\", error=\"invalid_token\"");
  EXPECT_EQ(unknown.body.find("not-a-token"), std::string::npos) << unknown.body;

  const auto malformed = call(request("GET", "/api/v1/servers", "Token read-token"));
  EXPECT_EQ(malformed.status, 401u);
  EXPECT_EQ(header(malformed, "WWW-Authenticate"),
            "Bearer realm=\"vigia\", error=\"invalid_request\"");
  EXPECT_EQ(malformed.body.find("read-token"), std::string::npos) << malformed.body;

  const auto wrong_kind = call(request("POST", "/api/v1/reports", "Bearer read-token"));
  EXPECT_EQ(wrong_kind.status, 403u);
  EXPECT_EQ(header(wrong_kind, "WWW-Authenticate"),
            "Bearer realm=\"vigia\", error=\"insufficient_scope\"");
  EXPECT_NE(wrong_kind.body.find("\"error\":\"forbidden\""), std::string::npos);

  EXPECT_EQ(metric("vigia_http_requests_denied_total{reason=\"unauthorized\"}"), 3);
  EXPECT_EQ(metric("vigia_http_requests_denied_total{reason=\"forbidden\"}"), 1);
  EXPECT_EQ(metric("vigia_reports_rejected_total{reason=\"unauthorized\"}"), 1);
}

TEST_F(ApiGate, AdmittedRequestsAreRouted) {
  EXPECT_EQ(call(request("GET", "/api/v1/servers", "Bearer read-token")).status, 200u);
  auto post = request("POST", "/api/v1/reports", "Bearer ingest-token");
  post.body = test::testReport().dump();
  EXPECT_EQ(call(std::move(post)).status, 201u);
  EXPECT_EQ(call(request("GET", "/nope", "Bearer read-token")).status, 404u);

  // The two-step form the HTTP layer uses: admit on the header, route with the body.
  auto head = request("GET", "/metrics", "Bearer read-token");
  auto admitted = api_->admit(head);
  ASSERT_TRUE(std::holds_alternative<Admission>(admitted));
  std::promise<ApiResponse> answer;
  api_->handle(std::get<Admission>(admitted), std::move(head),
               [&](ApiResponse a) { answer.set_value(std::move(a)); });
  EXPECT_EQ(answer.get_future().get().status, 200u);
}

TEST_F(ApiGate, RateLimitComesFirstAndHealthIsExemptInEveryForm) {
  start(/*burst=*/2);
  EXPECT_EQ(call(request("GET", "/api/v1/servers", "")).status, 401u);
  EXPECT_EQ(call(request("GET", "/api/v1/servers", "Bearer guess")).status, 401u);
  // Burst spent: even the right token waits, so guessing is as limited as using.
  const auto limited = call(request("GET", "/api/v1/servers", "Bearer read-token"));
  EXPECT_EQ(limited.status, 429u);
  EXPECT_NE(limited.body.find("\"error\":\"rate_limited\""), std::string::npos);
  const std::string retry = header(limited, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stol(retry), 1);

  auto post = request("POST", "/api/v1/reports", "Bearer ingest-token");
  EXPECT_EQ(call(post).status, 429u);
  EXPECT_EQ(metric("vigia_reports_rejected_total{reason=\"rate_limited\"}"), 1);
  EXPECT_EQ(metric("vigia_http_requests_denied_total{reason=\"rate_limited\"}"), 2);

  for (const char* target : {"/healthz", "//healthz/", "/%68ealthz", "/healthz?probe=1"}) {
    const auto health = call(request("GET", target, "Bearer wrong"));
    EXPECT_EQ(health.status, 200u) << target;
    EXPECT_EQ(health.body, "ok") << target;
  }
  // Another address has a bucket of its own.
  EXPECT_EQ(call(request("GET", "/api/v1/servers", "Bearer read-token", "10.9.9.9")).status, 200u);
}

}  // namespace
}  // namespace vigia::server
