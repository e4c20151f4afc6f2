#include "server/notify/webhook_sender.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "common/identifiers.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

constexpr std::size_t kMaxEventIdBytes = 200;

// What a receiver answers is of no interest beyond its status; reading it lets the connection
// be reused.
std::size_t discardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using List = std::unique_ptr<curl_slist, ListDeleter>;

// One part of a parsed URL, empty when absent.
std::string urlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

bool append(List& list, const std::string& header) {
  curl_slist* next = curl_slist_append(list.get(), header.c_str());
  if (next == nullptr) return false;
  (void)list.release();  // `next` is the same list, one element longer
  list.reset(next);
  return true;
}

// "http://host…" or "https://host…", the scheme in any case. libcurl alone would take
// "http:///x" as the host "x".
bool isHttpUrl(std::string_view url) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (url.size() <= scheme.size() || url[scheme.size()] == '/') continue;
    bool same = true;
    for (std::size_t i = 0; i < scheme.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(url[i])) == scheme[i];
    }
    if (same) return true;
  }
  return false;
}

void replaceAll(std::string& text, std::string_view secret) {
  if (secret.size() < 2) return;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
}

}  // namespace

class WebhookSender::Impl {
 public:
  ~Impl() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  // libcurl's words for a failure, without what must not reach a log.
  std::string scrubbed(std::string reason) const {
    if (target_.bearer_token) replaceAll(reason, *target_.bearer_token);
    replaceAll(reason, path_and_query_);
    return reason;
  }

  WebhookTarget target_;
  std::string origin_;
  std::string path_and_query_;        // "/services/T0/B0/secret?x=1"; "/" alone is no secret
  std::vector<std::string> headers_;  // every header but the event id
  CURL* curl_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
};

common::Result<std::unique_ptr<WebhookSender>> WebhookSender::create(WebhookTarget target) {
  if (target.timeout <= std::chrono::milliseconds::zero()) {
    return makeError(ErrorCode::kInvalidArgument, "webhook timeout must be positive");
  }
  if (target.bearer_token && !common::isBearerTokenText(*target.bearer_token)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "webhook token must be visible ASCII without spaces (it travels in an "
                     "Authorization header)");
  }
  if (!isHttpUrl(target.url)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "webhook URL must begin with http:// or https:// and a host");
  }
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (url == nullptr) return makeError(ErrorCode::kInternal, "libcurl: out of memory");
  if (const CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, target.url.c_str(), 0);
      rc != CURLUE_OK) {
    return makeError(
        ErrorCode::kInvalidArgument,
        std::string("webhook URL is not a URL libcurl can use: ") + curl_url_strerror(rc));
  }
  const std::string scheme = urlPart(url.get(), CURLUPART_SCHEME);  // lower case
  std::string host = urlPart(url.get(), CURLUPART_HOST);
  if (host.empty()) return makeError(ErrorCode::kInvalidArgument, "webhook URL has no host");

  auto impl = std::make_unique<Impl>();
  impl->origin_ =
      scheme + "://" + host + ":" + urlPart(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  impl->path_and_query_ = urlPart(url.get(), CURLUPART_PATH);
  if (const std::string query = urlPart(url.get(), CURLUPART_QUERY); !query.empty()) {
    impl->path_and_query_ += "?" + query;
  }
  impl->headers_ = {"Content-Type: application/json",
                    // No "100 Continue" round trip: an event is small.
                    "Expect:"};
  if (target.bearer_token)
    impl->headers_.push_back("Authorization: Bearer " + *target.bearer_token);

  impl->curl_ = curl_easy_init();
  if (impl->curl_ == nullptr)
    return makeError(ErrorCode::kInternal, "libcurl: curl_easy_init failed");
  CURL* c = impl->curl_;
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(c, CURLOPT_URL, target.url.c_str()));
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"));
  // A redirect would carry the token and the event somewhere nobody configured.
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(c, CURLOPT_USERAGENT, "vigia-server/" VIGIA_VERSION));
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));  // called from threads of the server's own
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(target.timeout.count())));
  set(curl_easy_setopt(
      c, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(std::min(target.timeout, WebhookTarget::kConnectTimeout).count())));
  set(curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
  // Proxies come from the environment as everywhere, but a receiver on this machine's loopback
  // is never reached through one: the proxy's 127.0.0.1 is not ours.
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host == "localhost" || common::isLoopbackAddress(host)) {
    set(curl_easy_setopt(c, CURLOPT_NOPROXY, "*"));
  }
  set(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, impl->error_));
  set(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discardBody));
  set(curl_easy_setopt(c, CURLOPT_POST, 1L));
  if (!ok) {
    return makeError(ErrorCode::kInternal,
                     "libcurl refused an option (is it built with TLS and HTTP?)");
  }
  impl->target_ = std::move(target);
  return std::unique_ptr<WebhookSender>(new WebhookSender(std::move(impl)));
}

WebhookSender::WebhookSender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookSender::~WebhookSender() = default;

const std::string& WebhookSender::origin() const { return impl_->origin_; }

WebhookOutcome WebhookSender::post(std::string_view body, std::string_view event_id) {
  WebhookOutcome outcome;
  // A CR or LF here would let an id add headers of its own.
  if (event_id.size() > kMaxEventIdBytes || !common::isBearerTokenText(event_id)) {
    outcome.reason = "event id is not header text; not sent";
    return outcome;
  }
  List headers;
  for (const std::string& h : impl_->headers_) {
    if (!append(headers, h)) {
      outcome.reason = "out of memory";
      return outcome;
    }
  }
  if (!append(headers, "X-Vigia-Event-Id: " + std::string(event_id))) {
    outcome.reason = "out of memory";
    return outcome;
  }

  CURL* c = impl_->curl_;
  impl_->error_[0] = '\0';
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode rc = curl_easy_perform(c);
  // The list dies with this call; the handle must not keep pointing at it.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);

  if (rc != CURLE_OK) {
    std::string why = impl_->error_[0] != '\0' ? impl_->error_ : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) why = "timed out: " + why;
    outcome.reason = impl_->scrubbed(std::move(why));
  } else {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.status);
    if (outcome.status >= 200 && outcome.status < 300) {
      outcome.delivery = WebhookDelivery::kDelivered;
    } else {
      outcome.reason = "HTTP " + std::to_string(outcome.status);
      if (outcome.status >= 300 && outcome.status < 400)
        outcome.reason += " (redirects are not followed)";
    }
  }
  spdlog::debug("webhook {} event {}: {}", impl_->origin_, event_id,
                outcome.delivery == WebhookDelivery::kDelivered ? "delivered" : outcome.reason);
  return outcome;
}

}  // namespace vigia::server
