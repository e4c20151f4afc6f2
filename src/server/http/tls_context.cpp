#include "server/http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigia::server {
namespace {

namespace ssl = boost::asio::ssl;
using common::ErrorCode;
using common::makeError;

// TLS 1.2 suites: ECDHE (forward secrecy) with AES-GCM or ChaCha20-Poly1305 (Mozilla's
// "intermediate" list). TLS 1.3 suites are all AEAD; OpenSSL's defaults stay.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

common::Error tlsError(const std::string& message) {
  return makeError(ErrorCode::kInvalidArgument, "tls: " + message);
}

// OpenSSL's queued reasons ("no start line", "key values mismatch"), for the operator.
std::string opensslReasons() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    const std::string text = reason ? reason : "error " + std::to_string(code);
    if (out.find(text) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// A clear "cannot read" before OpenSSL's terser errors, which do not say which file.
common::Status checkReadable(const std::filesystem::path& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return tlsError(std::string("cannot read ") + what + " " + path.string() + ": a directory");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return tlsError(std::string("cannot read ") + what + " " + path.string() + ": " +
                    std::strerror(errno));
  }
  std::fclose(f);
  return common::Ok{};
}

// Refuse to ask for a passphrase: a server under systemd has no terminal to ask on.
int noPassphrase(char*, int, int, void*) { return 0; }

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

common::Result<std::unique_ptr<EVP_PKEY, PkeyFree>> readPrivateKey(
    const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return tlsError("cannot read key " + path.string() + ": " + std::strerror(errno));
  }
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, noPassphrase, nullptr);
  std::fclose(f);
  if (key == nullptr) {
    return tlsError("key " + path.string() + ": not an unencrypted PEM private key (" +
                    opensslReasons() + ")");
  }
  return std::unique_ptr<EVP_PKEY, PkeyFree>(key);
}

}  // namespace

common::Result<TlsSetup> makeServerTlsContext(const TlsFiles& files) {
  for (const auto& [path, what] : {std::pair{files.cert, "certificate"}, {files.key, "key"}}) {
    if (auto st = checkReadable(path, what); !st) return st.error();
  }
  if (!files.client_ca.empty()) {
    if (auto st = checkReadable(files.client_ca, "client CA"); !st) return st.error();
  }
  ERR_clear_error();
  TlsSetup setup;
  setup.context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = setup.context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return tlsError("cannot set protocol versions and ciphers: " + opensslReasons());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_default_passwd_cb(ctx, noPassphrase);

  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1) {
    return tlsError("certificate " + files.cert.string() + ": not a PEM certificate chain (" +
                    opensslReasons() + ")");
  }
  auto key = readPrivateKey(files.key);
  if (!key) return key.error();
  ERR_clear_error();
  if (SSL_CTX_use_PrivateKey(ctx, key->get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return tlsError("the key in " + files.key.string() + " does not match the certificate in " +
                    files.cert.string() + " (" + opensslReasons() + ")");
  }
  if (X509* leaf = SSL_CTX_get0_certificate(ctx)) {
    if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
      setup.warnings.push_back("certificate " + files.cert.string() +
                               " has expired: every client will refuse it");
    } else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
      setup.warnings.push_back("certificate " + files.cert.string() + " is not valid yet");
    }
  }

  if (!files.client_ca.empty()) {
    ERR_clear_error();
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str());
    if (names == nullptr ||
        SSL_CTX_load_verify_locations(ctx, files.client_ca.c_str(), nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      return tlsError("client CA " + files.client_ca.string() + ": no PEM CA certificate in it (" +
                      opensslReasons() + ")");
    }
    SSL_CTX_set_client_CA_list(ctx, names);  // advertised, so clients pick the right cert
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Session resumption with client certificates needs a context id, or OpenSSL refuses it.
    static constexpr unsigned char kSessionContext[] = "vigia-server";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  return setup;
}

}  // namespace vigia::server
