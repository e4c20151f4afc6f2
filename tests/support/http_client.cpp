#include "http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace vigia::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

// Runs one asynchronous operation to its end. Asynchronous, because only asynchronous
// operations honour the stream's deadline: a server that never answers fails the call instead
// of hanging the test.
template <class Initiate>
beast::error_code await(net::io_context& ioc, Initiate&& initiate) {
  beast::error_code result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

beast::error_code connect(net::io_context& ioc, beast::tcp_stream& stream, unsigned short port,
                          const HttpCall& call) {
  const tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
  if (!call.source_address.empty()) {
    stream.socket().open(tcp::v4());
    stream.socket().bind(tcp::endpoint(net::ip::make_address(call.source_address), 0));
  }
  return await(ioc, [&](auto handler) { stream.async_connect(server, std::move(handler)); });
}

template <class Stream>
HttpReply exchange(net::io_context& ioc, Stream& stream, const HttpCall& call) {
  HttpReply reply;
  http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : call.headers) req.set(k, v);
  req.body() = call.body;
  req.prepare_payload();
  const beast::error_code write_error =
      await(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  // A server may answer before reading the whole body (413, 401) and stop reading: the write
  // then fails, but its answer is still there to read.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  const beast::error_code read_error = await(
      ioc, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (read_error) {
    reply.error = (write_error ? "write: " + write_error.message() + "; " : std::string()) +
                  "read: " + read_error.message();
    return reply;
  }
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  reply.body = std::move(res.body());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

}  // namespace

HttpReply httpRequest(unsigned short port, const HttpCall& call) {
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(call.timeout);
    if (auto ec = connect(ioc, stream, port, call)) {
      HttpReply failed;
      failed.error = "connect: " + ec.message();
      return failed;
    }
    HttpReply reply = exchange(ioc, stream, call);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return reply;
  } catch (const std::exception& e) {
    HttpReply failed;
    failed.error = e.what();
    return failed;
  }
}

HttpReply httpsRequest(unsigned short port, const HttpCall& call, const TlsClientOptions& tls) {
  HttpReply failed;
  try {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.load_verify_file(tls.ca_file.string());
    if (!tls.cert_file.empty()) {
      ctx.use_certificate_chain_file(tls.cert_file.string());
      ctx.use_private_key_file(tls.key_file.string(), ssl::context::pem);
    }
    net::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    // Check the name in the certificate, not only its chain: an IP against its IP SANs.
    X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
    beast::error_code not_ip;
    net::ip::make_address(tls.verify_host, not_ip);
    if (!not_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, tls.verify_host.c_str());
    } else {
      SSL_set1_host(stream.native_handle(), tls.verify_host.c_str());
    }
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(call.timeout);
    if (auto ec = connect(ioc, lowest, port, call)) {
      failed.error = "connect: " + ec.message();
      return failed;
    }
    if (auto ec = await(ioc, [&](auto handler) {
          stream.async_handshake(ssl::stream_base::client, std::move(handler));
        })) {
      failed.error = "handshake: " + ec.message();
      return failed;
    }
    HttpReply reply = exchange(ioc, stream, call);
    // close_notify, so the server sees a clean end; its answer is already in hand.
    lowest.expires_after(std::chrono::seconds(2));
    await(ioc, [&](auto handler) { stream.async_shutdown(std::move(handler)); });
    return reply;
  } catch (const std::exception& e) {
    failed.error = e.what();
    return failed;
  }
}

HttpReply httpGet(unsigned short port, const std::string& target) {
  return httpCall(port, "GET", target);
}

HttpReply httpCall(unsigned short port, const std::string& method, const std::string& target) {
  HttpCall call;
  call.method = method;
  call.target = target;
  return httpRequest(port, call);
}

HttpReply postReport(unsigned short port, const std::string& body) {
  HttpCall call;
  call.method = "POST";
  call.target = "/api/v1/reports";
  call.body = body;
  call.headers = {{"Content-Type", "application/json"}};
  return httpRequest(port, call);
}

}  // namespace vigia::test
