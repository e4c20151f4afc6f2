#pragma once

// Bearer tokens (docs/api.md): ingest tokens may only post reports, read tokens may only read.
// Only SHA-256 digests are kept; a presented token is hashed and compared with every configured
// digest in constant time, so neither the tokens nor the timing of a comparison leak them.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vigia::server {

using TokenDigest = std::array<std::uint8_t, 32>;

TokenDigest sha256(std::string_view data);

// One configured entry: "sha256:<64 hex digits>" is a digest as written; anything else is the
// token itself. Errors never quote the entry, since it may be a secret.
common::Result<TokenDigest> parseConfiguredToken(std::string_view entry);

// A token file: one entry per line as above, trailing white space (and CR) stripped, blank lines
// skipped. Errors name the file and the line, never its content.
common::Result<std::vector<TokenDigest>> readTokenFile(const std::string& path);

struct AuthConfig {
  std::vector<TokenDigest> ingest;
  std::vector<TokenDigest> read;
  bool enabled() const { return !ingest.empty() || !read.empty(); }
};

// What a request needs: each route says (routes.cpp), and Router::access decides for requests
// no route has, before routing, so a client without the right kind of token learns nothing
// about which paths exist.
enum class Access {
  kPublic,  // no token: /healthz
  kIngest,  // an ingest token: POST /api/v1/reports
  kRead,    // a read token: the GET API and /metrics
};

enum class AuthOutcome {
  kAllowed,
  kMissing,    // 401: no Authorization header
  kMalformed,  // 401: not "Bearer <token>"
  kUnknown,    // 401: a token that is not configured
  kForbidden,  // 403: a configured token of the other kind
};

// Constant-time equality of two digests (OpenSSL's CRYPTO_memcmp).
bool digestsEqual(const TokenDigest& a, const TokenDigest& b);

class Authenticator {
 public:
  // `equal` is for tests, which count the comparisons to prove none is skipped.
  using DigestEqual = bool (*)(const TokenDigest&, const TokenDigest&);
  explicit Authenticator(AuthConfig config, DigestEqual equal = &digestsEqual)
      : config_(std::move(config)), equal_(equal) {}

  bool enabled() const { return config_.enabled(); }

  // `authorization` is the Authorization header's value, empty when absent.
  AuthOutcome authorize(std::string_view authorization, Access needed) const;

 private:
  AuthConfig config_;
  DigestEqual equal_;
};

// The token of "Bearer <token>" (scheme in any case, RFC 6750 §2.1), or empty when malformed.
std::string_view bearerToken(std::string_view authorization);

}  // namespace vigia::server
