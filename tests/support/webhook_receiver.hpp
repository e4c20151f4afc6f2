#pragma once

// A webhook receiver for tests: a real HTTP/1.1 server on 127.0.0.1 (port 0) that records each
// request (method, target, headers, body, which connection it came on) and answers it with the
// status it was told, or never answers it (hang). Keep-alive connections are served as long as
// the client keeps them. Each connection has a thread of its own; stop() (or the destructor)
// closes them all and joins every thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigia::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int connection = 0;  // 1 for the first connection accepted, 2 for the next, …
};

class WebhookReceiver {
 public:
  WebhookReceiver();  // listening when it returns; throws when it cannot listen
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/hook") const;

  // The answer to the requests that come next: 200 with no header of note until told.
  void answerWith(unsigned status, std::vector<std::pair<std::string, std::string>> headers = {});
  // While on, requests are recorded and never answered; their connections stay open until
  // hang(false) or stop() closes them (still unanswered).
  void hang(bool on);

  std::vector<ReceivedRequest> requests() const;
  // Whether `count` requests arrived within `timeout`.
  bool waitForRequests(std::size_t count, std::chrono::milliseconds timeout) const;

  // Idempotent.
  void stop();

 private:
  struct State;  // the sockets, the threads and what was received
  std::unique_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace vigia::test
