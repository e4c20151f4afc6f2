#include "server/http/http_server.hpp"

#include <pthread.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <variant>
#include <vector>

#include "common/identifiers.hpp"

namespace vigia::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class SessionBase;

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(Api& api, Metrics& metrics, HttpOptions options)
      : api_(api),
        metrics_(metrics),
        options_(std::move(options)),
        ioc_(options_.threads),
        acceptor_(net::make_strand(ioc_)),
        signals_(ioc_, SIGINT, SIGTERM),
        reload_signal_(ioc_, SIGHUP),
        grace_timer_(ioc_),
        work_(net::make_work_guard(ioc_)) {}

  common::Result<std::string> listen();
  void run();
  void stop();

  void sessionStarted(SessionBase* s);
  void sessionEnded(SessionBase* s);
  bool stopping() const { return stopping_.load(); }

  Api& api_;
  Metrics& metrics_;
  const HttpOptions options_;

 private:
  void accept();
  void awaitReload();
  void beginShutdown();
  void finishIfIdle();

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::signal_set reload_signal_;
  net::steady_timer grace_timer_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mutex_;
  std::unordered_set<SessionBase*> sessions_;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What the server's shutdown needs of a connection, whatever its stream.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // A connection waiting for a request (or in its TLS handshake) is closed now; one in the
  // middle of a request finishes it first (see write).
  virtual void onShutdown() = 0;
};

// One connection: read a request under deadlines, hand it to the API, write the answer, and
// repeat while keep-alive lasts. Over TLS, a handshake comes first and a close_notify last.
template <class Stream>
class Session : public SessionBase {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `stream_args` follow the socket into the stream's constructor (the TLS context).
  template <class... StreamArgs>
  Session(std::shared_ptr<HttpServer::Impl> server, tcp::socket&& socket,
          StreamArgs&... stream_args)
      : stream_(std::move(socket), stream_args...), server_(std::move(server)) {
    beast::error_code ec;
    const auto remote = lowestLayer().socket().remote_endpoint(ec);
    if (!ec) {
      auto canonical = common::canonicalIp(remote.address().to_string());
      peer_ip_ = canonical ? *canonical : remote.address().to_string();
    }
  }
  ~Session() override { server_->sessionEnded(this); }

  void start() {
    server_->sessionStarted(this);
    net::dispatch(stream_.get_executor(), [self = self()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->readHeader();
      }
    });
  }

  void onShutdown() override {
    net::post(stream_.get_executor(), [self = self()] {
      if (self->waiting_for_request_) self->closeSocket();
    });
  }

 private:
  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& lowestLayer() { return beast::get_lowest_layer(stream_); }
  const HttpOptions& options() const { return server_->options_; }

  void handshake() {
    waiting_for_request_ = true;  // nothing in flight yet: a shutdown may cut it
    if (server_->stopping()) return closeSocket();
    lowestLayer().expires_after(options().header_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = self()](beast::error_code ec) { self->onHandshake(ec); });
  }

  void onHandshake(beast::error_code ec) {
    waiting_for_request_ = false;
    if (ec) {
      // Plain HTTP on this port, an untrusted or missing client certificate, TLS 1.1: counted,
      // not logged, since any client can cause it at will.
      if (ec == beast::error::timeout) {
        server_->metrics_.requestTimedOut();
      } else if (ec != net::error::operation_aborted) {
        server_->metrics_.tlsHandshakeFailed();
      }
      return closeSocket();
    }
    handshake_done_ = true;
    readHeader();
  }

  void readHeader() {
    if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    waiting_for_request_ = true;
    if (server_->stopping()) return close();
    lowestLayer().expires_after(options().header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = self()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    waiting_for_request_ = false;
    if (ec) return onReadError(ec);
    const auto& head = parser_->get();
    request_ = ApiRequest{};
    request_.method = std::string(head.method_string());
    request_.target = std::string(head.target());
    request_.content_type = std::string(head[http::field::content_type]);
    request_.content_encoding = std::string(head[http::field::content_encoding]);
    request_.authorization = std::string(head[http::field::authorization]);
    request_.accept_encoding = std::string(head[http::field::accept_encoding]);
    request_.peer_ip = peer_ip_;
    // Rate limit and token are checked on the header alone, so a refused client cannot make
    // the server read (and buffer) a body of up to max_body_bytes.
    auto admitted = server_->api_.admit(request_);
    if (auto* refusal = std::get_if<ApiResponse>(&admitted)) {
      keep_alive_ = head.keep_alive();
      // A body left unread ends the connection; a request without one may keep it.
      return write(std::move(*refusal), /*close_after=*/!parser_->is_done());
    }
    admission_.emplace(std::get<Admission>(admitted));
    if (const auto length = parser_->content_length();
        length && *length > options().max_body_bytes) {
      server_->metrics_.reportRejected(RejectReason::kTooLarge);
      return sendError(413, "body_too_large",
                       "body exceeds " + std::to_string(options().max_body_bytes) + " bytes",
                       /*close=*/true);
    }
    // Beast reads at most the buffer's free capacity per call, and a flat_buffer starts at
    // 512 bytes: a 70 KB body took ~140 recv calls, each a trip through the reactor, the
    // strand and the timer (most of the server's CPU without storage). Room for 64 KiB per
    // call while a body comes in; readHeader gives it back so idle connections stay small.
    if (!parser_->is_done()) buffer_.reserve(kBodyReadBytes);
    lowestLayer().expires_after(options().body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = self()](beast::error_code e, std::size_t) { self->onBody(e); });
  }

  void onReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return close();
    }
    if (ec == beast::error::timeout) {
      server_->metrics_.requestTimedOut();
      return close();  // the socket is already closed by the timeout
    }
    if constexpr (kTls) {
      // A broken TLS stream (truncated, bad record, alert) cannot carry an answer.
      if (ec == net::ssl::error::stream_truncated ||
          ec.category() == net::error::get_ssl_category())
        return closeSocket();
    }
    if (ec == http::error::body_limit) {
      server_->metrics_.reportRejected(RejectReason::kTooLarge);
      return sendError(413, "body_too_large",
                       "body exceeds " + std::to_string(options().max_body_bytes) + " bytes", true);
    }
    if (ec == http::error::header_limit) {
      return sendError(431, "header_too_large",
                       "header exceeds " + std::to_string(options().max_header_bytes) + " bytes",
                       true);
    }
    sendError(400, "bad_request", "malformed HTTP request: " + ec.message(), true);
  }

  void onBody(beast::error_code ec) {
    if (ec) return onReadError(ec);
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    request_.body = std::move(req.body());
    auto admitted = std::move(*admission_);
    admission_.reset();
    // The answer may come from the storage writer thread: hop back onto this connection's strand.
    server_->api_.handle(
        std::move(admitted), std::move(request_), [self = self()](ApiResponse response) {
          net::post(self->stream_.get_executor(), [self, r = std::move(response)]() mutable {
            self->write(std::move(r), false);
          });
        });
  }

  void sendError(unsigned status, const std::string& code, const std::string& detail,
                 bool close_after) {
    write(errorResponse(status, code, detail), close_after);
  }

  void write(ApiResponse api_response, bool close_after) {
    if (api_response.stream) return writeStream(std::move(api_response), close_after);
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(api_response.status);
    res->set(http::field::server, "vigia/" VIGIA_VERSION);
    res->set(http::field::content_type, api_response.content_type);
    // No answer is ever to be read as another type than it says (a JSON text as HTML).
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : api_response.headers) res->set(name, value);
    res->body() = std::move(api_response.body);
    close_after = close_after || !keep_alive_ || server_->stopping();
    res->keep_alive(!close_after);
    res->prepare_payload();
    lowestLayer().expires_after(options().write_timeout);
    http::async_write(stream_, *res,
                      [self = self(), res, close_after](beast::error_code ec, std::size_t) {
                        if (ec || close_after) return self->close();
                        self->readHeader();
                      });
  }

  // A streamed body: the header, then one chunk per piece the stream gives, each under the
  // write deadline (a client that stops reading is dropped), then the last chunk.
  void writeStream(ApiResponse api_response, bool close_after) {
    auto res = std::make_shared<http::response<http::empty_body>>();
    res->version(11);
    res->result(api_response.status);
    res->set(http::field::server, "vigia/" VIGIA_VERSION);
    res->set(http::field::content_type, api_response.content_type);
    // No answer is ever to be read as another type than it says (a JSON text as HTML).
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : api_response.headers) res->set(name, value);
    close_after = close_after || !keep_alive_ || server_->stopping();
    res->keep_alive(!close_after);
    res->chunked(true);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    lowestLayer().expires_after(options().write_timeout);
    http::async_write_header(stream_, *serializer,
                             [self = self(), res, serializer, body = std::move(api_response.stream),
                              close_after](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->writeChunk(body, close_after);
                             });
  }

  void writeChunk(std::shared_ptr<BodyStream> body, bool close_after) {
    auto piece = std::make_shared<std::string>();
    common::Result<bool> more = true;
    while (piece->empty() && more && *more) more = body->next(*piece);
    if (!more) return closeSocket();  // no last chunk: the client sees the body cut short
    if (piece->empty()) return finishStream(close_after);
    lowestLayer().expires_after(options().write_timeout);
    net::async_write(stream_, http::make_chunk(net::buffer(*piece)),
                     [self = self(), piece, body, again = *more, close_after](beast::error_code ec,
                                                                              std::size_t) {
                       if (ec) return self->close();
                       if (again) return self->writeChunk(body, close_after);
                       self->finishStream(close_after);
                     });
  }

  void finishStream(bool close_after) {
    lowestLayer().expires_after(options().write_timeout);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = self(), close_after](beast::error_code ec, std::size_t) {
                       if (ec || close_after) return self->close();
                       self->readHeader();
                     });
  }

  // Closing a socket with unread data makes the kernel send a reset, which can destroy our
  // answer before the client reads it (a body we refused early). So: plain HTTP half-closes,
  // then reads and discards for a moment; TLS sends close_notify and waits as long for the
  // client's, OpenSSL discarding what arrives meanwhile.
  void close() {
    if constexpr (kTls) {
      if (!handshake_done_ || tls_closing_) return closeSocket();
      tls_closing_ = true;
      lowestLayer().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = self()](beast::error_code) { self->closeSocket(); });
    } else {
      beast::error_code ec;
      lowestLayer().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return;
      lowestLayer().expires_after(std::chrono::seconds(2));
      drain();
    }
  }

  void drain() {
    lowestLayer().async_read_some(net::buffer(discard_),
                                  [self = self()](beast::error_code ec, std::size_t) {
                                    if (!ec) self->drain();
                                  });
  }

  void closeSocket() {
    beast::error_code ec;
    lowestLayer().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowestLayer().close();
  }

  static constexpr std::size_t kBodyReadBytes = 64 * 1024;
  static constexpr std::size_t kIdleBufferBytes = 4096;

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string peer_ip_;
  ApiRequest request_;                  // the head, from onHeader; the body joins it in onBody
  std::optional<Admission> admission_;  // between onHeader and onBody
  bool keep_alive_ = true;
  bool waiting_for_request_ = false;
  bool handshake_done_ = false;
  bool tls_closing_ = false;
  std::array<char, 16384> discard_{};
};

common::Result<std::string> HttpServer::Impl::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options_.host, ec);
  if (ec) {
    return common::makeError(common::ErrorCode::kInvalidArgument,
                             "listen address \"" + options_.host + "\" is not an IP address");
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return common::makeError(common::ErrorCode::kUnavailable,
                             "cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port) + ": " + ec.message());
  }
  const auto local = acceptor_.local_endpoint();
  const std::string host = local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                                   : local.address().to_string();
  return host + ":" + std::to_string(local.port());
}

void HttpServer::Impl::accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || self->stopping()) return;
      // EMFILE and the like: keep accepting; the socket was not created.
    } else {
      std::size_t active = 0;
      {
        std::lock_guard lock(self->sessions_mutex_);
        active = self->sessions_.size();
      }
      if (active >= self->options_.max_connections) {
        self->metrics_.connectionRefused();
        beast::error_code ignored;
        socket.close(ignored);
      } else if (self->options_.tls) {
        std::make_shared<Session<TlsStream>>(self, std::move(socket), *self->options_.tls)->start();
      } else {
        std::make_shared<Session<PlainStream>>(self, std::move(socket))->start();
      }
    }
    self->accept();
  });
}

void HttpServer::Impl::sessionStarted(SessionBase* s) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.insert(s);
  metrics_.connectionOpened();
}

void HttpServer::Impl::sessionEnded(SessionBase* s) {
  {
    std::lock_guard lock(sessions_mutex_);
    if (sessions_.erase(s) == 0) return;
  }
  metrics_.connectionClosed();
  if (stopping_) net::post(ioc_, [self = shared_from_this()] { self->finishIfIdle(); });
}

void HttpServer::Impl::run() {
  signals_.async_wait([self = shared_from_this()](beast::error_code ec, int) {
    if (!ec) self->beginShutdown();
  });
  awaitReload();
  accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) {
    threads.emplace_back([this] {
      ::pthread_setname_np(::pthread_self(), "vigia-io");
      ioc_.run();
    });
  }
  ioc_.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Impl::awaitReload() {
  reload_signal_.async_wait([self = shared_from_this()](beast::error_code ec, int) {
    if (ec) return;
    if (self->options_.on_reload) self->options_.on_reload();
    self->awaitReload();
  });
}

void HttpServer::Impl::stop() {
  net::post(ioc_, [self = shared_from_this()] { self->beginShutdown(); });
}

void HttpServer::Impl::beginShutdown() {
  if (stopping_.exchange(true)) return;
  beast::error_code ec;
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
  signals_.cancel(ec);
  reload_signal_.cancel(ec);
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (SessionBase* s : sessions_) {
      // A session being destroyed has no owner left; skip it (weak_from_this is empty).
      if (auto p = s->weak_from_this().lock()) live.push_back(std::move(p));
    }
  }
  for (auto& s : live) s->onShutdown();
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e) self->ioc_.stop();  // grace period over: abandon what is still in flight
  });
  finishIfIdle();
}

void HttpServer::Impl::finishIfIdle() {
  {
    std::lock_guard lock(sessions_mutex_);
    if (!sessions_.empty()) return;
  }
  grace_timer_.cancel();
  work_.reset();
}

HttpServer::HttpServer(Api& api, Metrics& metrics, HttpOptions options)
    : impl_(std::make_shared<Impl>(api, metrics, std::move(options))) {}
HttpServer::~HttpServer() = default;
common::Result<std::string> HttpServer::listen() { return impl_->listen(); }
void HttpServer::run() { impl_->run(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace vigia::server
