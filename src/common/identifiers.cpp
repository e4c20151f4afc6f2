#include "common/identifiers.hpp"

#include <arpa/inet.h>
#include <sys/random.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace vigia::common {

std::string newUuidV4() {
  std::array<std::uint8_t, 16> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n > 0) filled += static_cast<std::size_t>(n);
    // EINTR: try again. getrandom cannot otherwise fail for 16 bytes once the pool is ready.
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

Result<std::string> canonicalUuid(std::string_view text) {
  auto bad = [] {
    return makeError(ErrorCode::kInvalidArgument,
                     "expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
  };
  if (text.size() != 36) return bad();
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return bad();
    } else if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return bad();
    }
  }
  return out;
}

Result<std::string> canonicalIp(std::string_view text) {
  auto bad = [] {
    return makeError(ErrorCode::kInvalidArgument, "expected an IPv4 or IPv6 address literal");
  };
  // An embedded NUL would end the C string early and let "10.0.0.5\0../x" through.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
      text.find('\0') != std::string_view::npos) {
    return bad();
  }
  const std::string z(text);  // inet_pton needs a NUL-terminated string
  char buf[INET6_ADDRSTRLEN];
  in_addr v4{};
  if (inet_pton(AF_INET, z.c_str(), &v4) == 1) {
    return std::string(inet_ntop(AF_INET, &v4, buf, sizeof buf));
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, z.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, &v6.s6_addr[12], 4);
      return std::string(inet_ntop(AF_INET, &v4, buf, sizeof buf));
    }
    return std::string(inet_ntop(AF_INET6, &v6, buf, sizeof buf));
  }
  return bad();
}

bool isLoopbackAddress(const std::string& ip) {
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, ip.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool isBearerTokenText(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

}  // namespace vigia::common
