#include "compliance/network_match.hpp"

#include <arpa/inet.h>
#include <fnmatch.h>

#include <charconv>

namespace vigia::compliance {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string formatAddress(const IpAddress& a) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), text, sizeof text);
  return text;
}

}  // namespace

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (const auto zone = text.find('%'); zone != std::string_view::npos) {
    text = text.substr(0, zone);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string z(text);  // inet_pton wants a NUL-terminated string
  IpAddress a;
  if (inet_pton(AF_INET, z.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, z.c_str(), a.bytes.data()) != 1) return std::nullopt;
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin())) {
    IpAddress v4;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
  }
  a.v6 = true;
  return a;
}

bool Cidr::contains(const IpAddress& address) const {
  if (address.v6 != network.v6) return false;
  const int whole = prefix / 8;
  for (int i = 0; i < whole; ++i) {
    if (address.bytes[i] != network.bytes[i]) return false;
  }
  if (const int rest = prefix % 8; rest != 0) {
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    if ((address.bytes[whole] & mask) != network.bytes[whole]) return false;
  }
  return true;
}

std::optional<Cidr> parseCidr(std::string_view text, CidrError* error) {
  auto fail = [&](std::string reason) -> std::optional<Cidr> {
    if (error) error->reason = std::move(reason);
    return std::nullopt;
  };
  const auto slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  // A zone or a mapped form means nothing in a policy's network: take the literal as written.
  if (address_text.find('%') != std::string_view::npos) {
    return fail("bad CIDR \"" + std::string(text) + "\": an address has no zone here");
  }
  auto address = parseIpAddress(address_text);
  if (!address) {
    return fail("bad CIDR \"" + std::string(text) + "\": not an IPv4 or IPv6 address");
  }
  const int bits = address->v6 ? 128 : 32;
  Cidr cidr{*address, bits};
  if (slash == std::string_view::npos) return cidr;
  const std::string_view prefix = text.substr(slash + 1);
  int value = -1;
  const auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), value);
  if (prefix.empty() || ec != std::errc{} || end != prefix.data() + prefix.size() || value < 0 ||
      value > bits || (prefix.size() > 1 && prefix.front() == '0')) {
    return fail("bad CIDR \"" + std::string(text) + "\": the prefix length must be 0 to " +
                std::to_string(bits));
  }
  cidr.prefix = value;
  Cidr masked = cidr;
  for (int i = 0; i < 16; ++i) {
    const int keep = std::min(8, std::max(0, value - 8 * i));
    masked.network.bytes[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  if (masked.network.bytes != cidr.network.bytes) {
    return fail("bad CIDR \"" + std::string(text) + "\": host bits are set (the network is " +
                formatAddress(masked.network) + "/" + std::to_string(value) + ")");
  }
  return cidr;
}

bool globMatches(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), FNM_CASEFOLD) == 0;
}

bool HostPatterns::matchesAddress(const IpAddress& address) const {
  for (const auto& n : networks_) {
    if (n.contains(address)) return true;
  }
  return false;
}

bool HostPatterns::matchesName(const std::string& name) const {
  for (const auto& g : globs_) {
    if (globMatches(g, name)) return true;
  }
  return false;
}

bool HostPatterns::matches(const std::string& host) const {
  if (!networks_.empty()) {
    if (const auto address = parseIpAddress(host); address && matchesAddress(*address)) {
      return true;
    }
  }
  return matchesName(host);
}

}  // namespace vigia::compliance
