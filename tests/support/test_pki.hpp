#pragma once

// Real certificates for TLS tests, made by the `openssl` command in a directory the caller owns
// (a TempDir): a CA, a server certificate it signed for 127.0.0.1 and localhost, a client
// certificate it signed, and an unrelated "wrong" CA with a client certificate of its own.
// EC P-256 keys, unencrypted PEM, valid from now for two days.

#include <filesystem>

namespace vigia::test {

struct TestPki {
  // Throws std::runtime_error (with openssl's message) when a step fails.
  explicit TestPki(const std::filesystem::path& dir);

  std::filesystem::path ca_cert;      // trust this to accept server_cert / client_cert
  std::filesystem::path server_cert;  // subjectAltName IP:127.0.0.1, DNS:localhost
  std::filesystem::path server_key;
  std::filesystem::path client_cert;  // extendedKeyUsage clientAuth
  std::filesystem::path client_key;
  std::filesystem::path wrong_ca_cert;      // signed nothing above
  std::filesystem::path wrong_client_cert;  // signed by the wrong CA
  std::filesystem::path wrong_client_key;
};

// The openssl command found at configure time (scripts/install-deps.sh installs it).
const char* opensslBinary();

}  // namespace vigia::test
