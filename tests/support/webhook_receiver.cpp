#include "webhook_receiver.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace vigia::test {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

struct WebhookReceiver::State {
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::thread acceptor_thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool stopping = false;
  bool hanging = false;
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<ReceivedRequest> received;
  int connections = 0;
  // The descriptor of each connection still open, so that stop() can wake a thread blocked
  // reading it. A connection's thread closes its socket only under the mutex.
  std::map<int, int> open;
  std::vector<std::thread> threads;

  void acceptLoop();
  void serve(int connection, tcp::socket socket);
};

void WebhookReceiver::State::acceptLoop() {
  while (true) {
    tcp::socket socket(io);
    boost::system::error_code ec;
    acceptor.accept(socket, ec);
    std::lock_guard lock(mutex);
    if (ec || stopping) return;
    const int connection = ++connections;
    open[connection] = socket.native_handle();
    threads.emplace_back(
        [this, connection, s = std::move(socket)]() mutable { serve(connection, std::move(s)); });
  }
}

void WebhookReceiver::State::serve(int connection, tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  while (true) {
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::read(socket, buffer, request, ec);
    if (ec) break;
    ReceivedRequest r;
    r.method = std::string(request.method_string());
    r.target = std::string(request.target());
    for (const auto& field : request) r.headers[lower(field.name_string())] = field.value();
    r.body = std::move(request.body());
    r.connection = connection;
    http::response<http::string_body> response;
    bool hang = false;
    {
      std::lock_guard lock(mutex);
      received.push_back(std::move(r));
      hang = hanging;
      response.result(status);
      for (const auto& [name, value] : headers) response.set(name, value);
    }
    changed.notify_all();
    if (hang) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [this] { return stopping || !hanging; });
      break;
    }
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(socket, response, ec);
    if (ec || !response.keep_alive()) break;
  }
  std::lock_guard lock(mutex);
  open.erase(connection);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

WebhookReceiver::WebhookReceiver() : state_(std::make_unique<State>()) {
  const tcp::endpoint loopback(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(loopback.protocol());
  state_->acceptor.bind(loopback);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  state_->acceptor_thread = std::thread([state = state_.get()] { state->acceptLoop(); });
}

WebhookReceiver::~WebhookReceiver() { stop(); }

std::string WebhookReceiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void WebhookReceiver::answerWith(unsigned status,
                                 std::vector<std::pair<std::string, std::string>> headers) {
  std::lock_guard lock(state_->mutex);
  state_->status = status;
  state_->headers = std::move(headers);
}

void WebhookReceiver::hang(bool on) {
  {
    std::lock_guard lock(state_->mutex);
    state_->hanging = on;
  }
  state_->changed.notify_all();
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

bool WebhookReceiver::waitForRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->received.size() >= count; });
}

void WebhookReceiver::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  if (state_->acceptor_thread.joinable()) {
    // A connection of our own wakes the blocking accept, which then sees `stopping`.
    tcp::socket poke(state_->io);
    boost::system::error_code ignored;
    poke.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ignored);
    state_->acceptor_thread.join();
    state_->acceptor.close(ignored);
  }
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mutex);
    // Wakes a thread blocked reading its connection: it sees the end and closes it.
    for (const auto& [connection, fd] : state_->open) ::shutdown(fd, SHUT_RDWR);
    threads.swap(state_->threads);
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace vigia::test
