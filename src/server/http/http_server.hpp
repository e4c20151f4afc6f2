#pragma once

// The HTTP/1.1 front of the server (Boost.Beast over Asio). It knows sockets, limits and
// timeouts, and nothing of reports: every complete request goes to Api::handle.
//
// Asynchronous throughout, so thousands of idle or trickling connections cost memory, not
// threads; each request phase has a deadline, so a slow client is dropped instead of held.
// With a TLS context it serves HTTPS only; the TLS handshake has the header deadline.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "server/api/api.hpp"
#include "server/api/metrics.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vigia::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // as sent (compressed or not)
  std::chrono::seconds header_timeout{30};        // idle keep-alive wait + request header
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 10'000;
  int threads = 2;
  std::chrono::seconds shutdown_grace{30};         // in-flight requests get this long after SIGTERM
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP (see tls_context.hpp)
  std::function<void()> on_reload;  // SIGHUP, on an I/O thread; null: SIGHUP is ignored
};

class HttpServer {
 public:
  HttpServer(Api& api, Metrics& metrics, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns "host:port" as bound (the port is real even if 0 was asked).
  common::Result<std::string> listen();

  // Serves until SIGTERM/SIGINT (or stop()), then stops accepting, lets in-flight requests
  // finish (up to shutdown_grace), closes idle connections, and returns.
  void run();

  // Thread-safe: begins the graceful shutdown.
  void stop();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigia::server
