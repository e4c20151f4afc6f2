#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vigia::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpReply httpRequest(unsigned short port, const HttpCall& call) {
  HttpReply reply;
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(call.timeout);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : call.headers) req.set(k, v);
    req.body() = call.body;
    req.prepare_payload();
    beast::error_code write_error;
    http::write(stream, req, write_error);
    // A server may answer before reading the whole body (413) and stop reading: the write then
    // fails, but its answer is still there to read.
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    beast::error_code read_error;
    http::read(stream, buffer, parser, read_error);
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
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    reply.error = e.what();
  }
  return reply;
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
