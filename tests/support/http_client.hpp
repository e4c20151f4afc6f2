#pragma once

// A minimal blocking HTTP/1.1 client over 127.0.0.1 for end-to-end tests (Boost.Beast), plain
// or TLS. Each call has one deadline for the whole exchange (connect, handshake, write, read).

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigia::test {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{30000};
  std::string source_address;  // bind the client here first (e.g. 127.0.0.2); empty: any
};

HttpReply httpRequest(unsigned short port, const HttpCall& call);

struct TlsClientOptions {
  std::filesystem::path ca_file;          // the only CA trusted (PEM)
  std::filesystem::path cert_file;        // optional client certificate (mutual TLS)…
  std::filesystem::path key_file;         // …and its key
  std::string verify_host = "127.0.0.1";  // the name or IP the server certificate must hold
};

// As httpRequest, over TLS: the server certificate must chain to `tls.ca_file` and match
// `tls.verify_host`. A failed handshake gives status 0 and an error starting "handshake: ".
HttpReply httpsRequest(unsigned short port, const HttpCall& call, const TlsClientOptions& tls);

HttpReply httpGet(unsigned short port, const std::string& target);
HttpReply httpCall(unsigned short port, const std::string& method, const std::string& target);

// POST /api/v1/reports with Content-Type: application/json.
HttpReply postReport(unsigned short port, const std::string& body);

}  // namespace vigia::test
