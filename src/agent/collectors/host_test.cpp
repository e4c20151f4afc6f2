#include "agent/collectors/host.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/identifiers.hpp"
#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

constexpr const char* kHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

TEST(DefaultRoute, LowestMetricUpRouteWins) {
  const std::string table = std::string(kHeader) +
                            "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                            "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                            "eth1\t00000000\t0101000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                            "down0\t00000000\t0101000A\t0002\t0\t0\t1\t00000000\t0\t0\t0\n";
  EXPECT_EQ(parseDefaultRouteInterface(table), "eth1");
  EXPECT_EQ(parseDefaultRouteInterface(kHeader), std::nullopt);
  EXPECT_EQ(parseDefaultRouteInterface(""), std::nullopt);
}

TEST(PrimaryIp, Choice) {
  const std::vector<InterfaceAddress> addrs = {
      {"lo", "127.0.0.1", true, false},
      {"eth0", "2001:db8::5", false, true},
      {"eth0", "10.0.0.5", false, false},
      {"eth1", "192.168.1.5", false, false},
  };
  EXPECT_EQ(choosePrimaryIp(std::string("eth1"), addrs), "192.168.1.5");
  EXPECT_EQ(choosePrimaryIp(std::nullopt, addrs), "10.0.0.5");
  EXPECT_EQ(choosePrimaryIp(std::string("gone0"), addrs), "10.0.0.5");
  EXPECT_EQ(choosePrimaryIp(std::nullopt, {{"lo", "127.0.0.1", true, false},
                                           {"eth0", "2001:db8::5", false, true}}),
            "2001:db8::5");
  EXPECT_EQ(choosePrimaryIp(std::nullopt, {{"lo", "127.0.0.1", true, false}}), "127.0.0.1");
  EXPECT_EQ(choosePrimaryIp(std::nullopt, {}), "127.0.0.1");
}

TEST(SourceAddress, TowardsLoopbackIsLoopback) {
  EXPECT_EQ(sourceAddressTowards("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(sourceAddressTowards("not a host name at all."), std::nullopt);
}

TEST(ReadHostInfo, FixtureMachineIdAndLiveProc) {
  test::TempTree tree;
  tree.write("etc/machine-id", "  3d1219c7c4c5404aaa1f6d2a48adfda4\n");
  CollectContext context;
  context.paths.etc = tree.root() / "etc";
  context.server_host = "127.0.0.1";
  const auto host = readHostInfo(context);
  EXPECT_EQ(host.machine_id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
  EXPECT_EQ(host.ip, "127.0.0.1");
  EXPECT_TRUE(host.boot_time.has_value());
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  EXPECT_EQ(host.hostname, name);

  context.server_host.reset();
  context.paths.etc = tree.root() / "nothing";
  const auto fallback = readHostInfo(context);
  EXPECT_FALSE(fallback.machine_id.has_value());
  EXPECT_TRUE(common::canonicalIp(fallback.ip).ok()) << fallback.ip;
}

}  // namespace
}  // namespace vigia::agent
