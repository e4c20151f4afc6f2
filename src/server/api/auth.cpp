#include "server/api/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/identifiers.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

constexpr std::string_view kDigestPrefix = "sha256:";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

}  // namespace

TokenDigest sha256(std::string_view data) {
  TokenDigest digest{};
  unsigned int length = 0;
  // EVP_Digest fails only on allocation failure; a zero digest then matches no real token.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    digest.fill(0);
  }
  return digest;
}

common::Result<TokenDigest> parseConfiguredToken(std::string_view entry) {
  if (entry.starts_with(kDigestPrefix)) {
    const std::string_view hex = entry.substr(kDigestPrefix.size());
    TokenDigest digest{};
    if (hex.size() != 2 * digest.size()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "\"sha256:\" must be followed by 64 hex digits (got " +
                           std::to_string(hex.size()) + " characters)");
    }
    for (std::size_t i = 0; i < digest.size(); ++i) {
      const int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "\"sha256:\" must be followed by 64 hex digits (found a non-hex one)");
      }
      digest[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return digest;
  }
  if (!common::isBearerTokenText(entry)) {
    return makeError(ErrorCode::kInvalidArgument,
                     entry.empty() ? "empty token"
                                   : "a token must be visible ASCII without spaces (it travels in "
                                     "an Authorization header)");
  }
  return sha256(entry);
}

common::Result<std::vector<TokenDigest>> readTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kInvalidArgument,
                     "cannot read token file " + path + ": " + std::strerror(errno));
  }
  std::vector<TokenDigest> digests;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && isSpace(line.back())) line.pop_back();
    // Comments let an operator say whose token a line is; a token never starts with '#' in
    // such a file (generated tokens are hex or base64).
    if (line.empty() || line.front() == '#') continue;
    auto digest = parseConfiguredToken(line);
    OPENSSL_cleanse(line.data(), line.size());
    if (!digest) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "token file " + path + " line " + std::to_string(number) + ": " + digest.error().message);
    }
    digests.push_back(*digest);
  }
  if (in.bad()) {
    return makeError(ErrorCode::kInvalidArgument, "cannot read token file " + path);
  }
  // An empty file is most likely a secret that was not mounted: refuse rather than run with
  // fewer tokens than the operator meant.
  if (digests.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "token file " + path + " holds no token");
  }
  return digests;
}

bool digestsEqual(const TokenDigest& a, const TokenDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view bearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return {};
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return common::isBearerTokenText(rest) ? rest : std::string_view();
}

AuthOutcome Authenticator::authorize(std::string_view authorization, Access needed) const {
  if (needed == Access::kPublic || !enabled()) return AuthOutcome::kAllowed;
  if (authorization.empty()) return AuthOutcome::kMissing;
  const std::string_view token = bearerToken(authorization);
  if (token.empty()) return AuthOutcome::kMalformed;
  const TokenDigest presented = sha256(token);
  // Every digest is compared, match or not, so the time taken says nothing about which one
  // matched or how many there are before it.
  unsigned ingest = 0, read = 0;
  for (const auto& d : config_.ingest) ingest |= static_cast<unsigned>(equal_(d, presented));
  for (const auto& d : config_.read) read |= static_cast<unsigned>(equal_(d, presented));
  const bool has = needed == Access::kIngest ? ingest != 0 : read != 0;
  const bool other = needed == Access::kIngest ? read != 0 : ingest != 0;
  if (has) return AuthOutcome::kAllowed;
  return other ? AuthOutcome::kForbidden : AuthOutcome::kUnknown;
}

}  // namespace vigia::server
