#pragma once

// The server's TLS configuration, built once at start-up: TLS 1.2 or newer, AEAD ciphers with
// forward secrecy only, no compression, no renegotiation; with a client CA, a client
// certificate signed by it is required (mutual TLS).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vigia::server {

struct TlsFiles {
  std::filesystem::path cert;       // PEM chain, leaf first
  std::filesystem::path key;        // PEM private key, not encrypted
  std::filesystem::path client_ca;  // PEM CA certificates; empty: no client certificate asked
};

struct TlsSetup {
  std::shared_ptr<boost::asio::ssl::context> context;
  std::vector<std::string> warnings;  // worth logging, not worth refusing to start (expiry)
};

// Errors are configuration errors and name the file at fault and what is wrong with it.
common::Result<TlsSetup> makeServerTlsContext(const TlsFiles& files);

}  // namespace vigia::server
