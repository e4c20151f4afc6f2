#pragma once

// Host identity: hostname, IP, machine-id, boot time.
//
// host.ip (docs/report-schema.md) is the source address the kernel would use to reach the
// configured server (a UDP connect() sends nothing; getsockname() tells the chosen address). When
// the server is on loopback, or none is configured, that address would name no host in the fleet:
// then it is the default route's source address, found the same way towards an address no one owns
// (IPv4 first, then IPv6). A host with no default route gives its first non-loopback address;
// only a host with none at all reports loopback.
//
// The hostname is uname()'s, or under a host root the host's /etc/hostname (host_root.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

struct InterfaceAddress {
  std::string interface;
  std::string address;  // canonical text
  bool loopback = false;
  bool ipv6 = false;
};
std::vector<InterfaceAddress> listInterfaceAddresses();

// The first non-loopback address, IPv4 before IPv6; else 127.0.0.1 (pure, tested).
std::string firstNonLoopbackAddress(const std::vector<InterfaceAddress>& addresses);

// The local address the kernel would use towards host (numeric or resolvable name).
std::optional<std::string> sourceAddressTowards(const std::string& host);

// host.ip as docs/report-schema.md defines it, for a server at `server_host` (none: nullopt).
std::string hostIp(const std::optional<std::string>& server_host);

common::HostInfo readHostInfo(const CollectContext& context);

class HostCollector final : public Collector {
 public:
  const char* name() const override { return "host"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
