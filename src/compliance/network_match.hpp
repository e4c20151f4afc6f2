#pragma once

// Naming hosts in a policy: CIDRs (applies_to.ip, a waiver's hosts, remote_host_not_in) and
// host name globs (applies_to.hostname, a waiver's hostname, remote_host_not_in).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigia::compliance {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // network order; the first 4 for IPv4
};

// An IPv4 or IPv6 literal (inet_pton). An IPv4-mapped IPv6 address is its IPv4 address, as
// report host.ip is canonicalized (docs/report-schema.md), and an IPv6 zone ("fe80::1%eth0") is
// ignored.
std::optional<IpAddress> parseIpAddress(std::string_view text);

struct Cidr {
  IpAddress network;
  int prefix = 0;
  bool contains(const IpAddress& address) const;
};

struct CidrError {
  std::string reason;
};

// "10.0.0.0/8", "fd00::/8", or an address alone (one host). A prefix with host bits set
// ("10.0.0.5/8") is refused: it is usually a typo, and the reason names the network meant.
std::optional<Cidr> parseCidr(std::string_view text, CidrError* error = nullptr);

// fnmatch(3) without FNM_PATHNAME, ignoring case as DNS does: "web-*", "db-0[1-3].example.com".
bool globMatches(const std::string& pattern, const std::string& text);

// Entries that are each a CIDR or a host name glob. An address matches a CIDR containing it or
// a glob matching its text; a name matches the globs only.
class HostPatterns {
 public:
  void addNetwork(Cidr cidr) { networks_.push_back(cidr); }
  void addGlob(std::string glob) { globs_.push_back(std::move(glob)); }
  bool matches(const std::string& host) const;
  bool matchesAddress(const IpAddress& address) const;
  bool matchesName(const std::string& name) const;

 private:
  std::vector<Cidr> networks_;
  std::vector<std::string> globs_;
};

}  // namespace vigia::compliance
