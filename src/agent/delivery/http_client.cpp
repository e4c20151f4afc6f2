#include "agent/delivery/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "agent/config/agent_config.hpp"

namespace vigia::agent {
namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::chrono::seconds kMaxRetryAfter{86'400};

std::size_t collectBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  // Keep what fits and accept the rest: a large answer must not fail the delivery.
  body->append(data, std::min(n, kMaxAnswerBytes - std::min(kMaxAnswerBytes, body->size())));
  return n;
}

}  // namespace

class HttpClient::Impl {
 public:
  ~Impl() {
    if (headers_ != nullptr) curl_slist_free_all(headers_);
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string endpoint_;
  std::string body_;
  char error_[CURL_ERROR_SIZE] = {};
};

std::string reportsEndpoint(std::string_view server) {
  std::string base(server);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/reports";
}

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    long long seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ptr != value.data() + value.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) return kMaxRetryAfter;
    if (ec != std::errc()) return std::nullopt;
    return std::min(std::chrono::seconds(seconds), kMaxRetryAfter);
  }
  const std::string date(value);
  const time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(when) - now);
  return std::clamp(wait, std::chrono::seconds(0), kMaxRetryAfter);
}

common::Result<std::unique_ptr<HttpClient>> HttpClient::create(const HttpClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->curl_ = curl_easy_init();
  if (impl->curl_ == nullptr) {
    return common::makeError(common::ErrorCode::kInternal, "libcurl: curl_easy_init failed");
  }
  impl->endpoint_ = reportsEndpoint(options.server);
  for (const std::string& header :
       {std::string("Content-Type: application/json"), std::string("Content-Encoding: gzip"),
        // No "100 Continue" round trip: the body is small and the server answers early anyway.
        std::string("Expect:"),
        options.token.empty() ? std::string() : "Authorization: Bearer " + options.token}) {
    if (header.empty()) continue;
    curl_slist* next = curl_slist_append(impl->headers_, header.c_str());
    if (next == nullptr) {
      return common::makeError(common::ErrorCode::kInternal, "libcurl: out of memory");
    }
    impl->headers_ = next;
  }

  CURL* c = impl->curl_;
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(c, CURLOPT_URL, impl->endpoint_.c_str()));
  set(curl_easy_setopt(c, CURLOPT_HTTPHEADER, impl->headers_));
  set(curl_easy_setopt(c, CURLOPT_USERAGENT, "vigia-agent/" VIGIA_VERSION));
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"));
  // Never follow a redirect: it would carry the token and the report somewhere unchecked.
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L));
  // Proxies come from the environment (http_proxy, https_proxy, no_proxy), as everywhere;
  // but a server on this machine's loopback is never reached through one: the proxy's
  // 127.0.0.1 is not ours.
  if (isLoopbackHost(serverHost(options.server))) set(curl_easy_setopt(c, CURLOPT_NOPROXY, "*"));
  set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options.connect_timeout.count() * 1000)));
  set(curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!options.ca_file.empty()) set(curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str()));
  if (!options.client_cert.empty()) {
    set(curl_easy_setopt(c, CURLOPT_SSLCERT, options.client_cert.c_str()));
    set(curl_easy_setopt(c, CURLOPT_SSLKEY, options.client_key.c_str()));
  }
  set(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, impl->error_));
  set(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collectBody));
  set(curl_easy_setopt(c, CURLOPT_WRITEDATA, &impl->body_));
  set(curl_easy_setopt(c, CURLOPT_POST, 1L));
  if (!ok) {
    return common::makeError(common::ErrorCode::kInternal,
                             "libcurl refused an option (is it built with TLS and HTTP?)");
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

PostResult HttpClient::postReport(std::string_view gzipped_json,
                                  std::chrono::milliseconds timeout) {
  CURL* c = impl_->curl_;
  impl_->body_.clear();
  impl_->error_[0] = '\0';
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, gzipped_json.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(gzipped_json.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<long long>(1, timeout.count())));

  PostResult result;
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    result.error = impl_->error_[0] != '\0' ? impl_->error_ : curl_easy_strerror(rc);
    return result;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  result.body = std::move(impl_->body_);
  curl_header* header = nullptr;
  if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
    result.retry_after = parseRetryAfter(header->value, std::chrono::system_clock::now());
  }
  return result;
}

}  // namespace vigia::agent
