#pragma once

// Host identity: hostname (uname), primary IP, machine-id, boot time.
//
// The primary IP is the source address the kernel would use to reach the configured server
// (a UDP connect() sends nothing; getsockname() tells the chosen address). Without a server,
// it is the address of the default route's interface; then the first non-loopback address;
// then 127.0.0.1.

#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

// Interface of the IPv4 default route with the lowest metric, from /proc/net/route.
std::optional<std::string> parseDefaultRouteInterface(std::string_view route_table);

struct InterfaceAddress {
  std::string interface;
  std::string address;  // canonical text
  bool loopback = false;
  bool ipv6 = false;
};
std::vector<InterfaceAddress> listInterfaceAddresses();

// Picks the primary IP from the route table and the interface list (pure, tested).
std::string choosePrimaryIp(const std::optional<std::string>& default_interface,
                            const std::vector<InterfaceAddress>& addresses);

// The local address the kernel would use towards host:port (numeric or resolvable name).
std::optional<std::string> sourceAddressTowards(const std::string& server_host);

common::HostInfo readHostInfo(const CollectContext& context);

class HostCollector final : public Collector {
 public:
  const char* name() const override { return "host"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
