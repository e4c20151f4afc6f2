#include "agent/collectors/host.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "common/identifiers.hpp"
#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

TEST(FirstNonLoopbackAddress, Ipv4BeforeIpv6ThenLoopback) {
  const std::vector<InterfaceAddress> addrs = {
      {"lo", "127.0.0.1", true, false},
      {"eth0", "2001:db8::5", false, true},
      {"eth1", "10.0.0.5", false, false},
      {"eth2", "192.168.1.5", false, false},
  };
  EXPECT_EQ(firstNonLoopbackAddress(addrs), "10.0.0.5");
  EXPECT_EQ(firstNonLoopbackAddress(
                {{"lo", "127.0.0.1", true, false}, {"eth0", "2001:db8::5", false, true}}),
            "2001:db8::5");
  EXPECT_EQ(firstNonLoopbackAddress({{"lo", "127.0.0.1", true, false}}), "127.0.0.1");
  EXPECT_EQ(firstNonLoopbackAddress({}), "127.0.0.1");
}

TEST(SourceAddress, TowardsLoopbackIsLoopback) {
  EXPECT_EQ(sourceAddressTowards("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(sourceAddressTowards("not a host name at all."), std::nullopt);
}

// hostIp() run in a network namespace of its own, set up by `commands` (ip(8) lines): the
// namespace is the whole network the function can see, so each case controls its routes.
// Returns what hostIp(server) answered there, or "error: ..." when the namespace could not be
// made.
std::string hostIpInNamespace(const std::string& commands,
                              const std::optional<std::string>& server) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "error: pipe";
  const pid_t child = ::fork();
  if (child < 0) return "error: fork";
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string answer;
    if (::unshare(CLONE_NEWNET) != 0) {
      answer = "error: unshare(CLONE_NEWNET) refused (needs root)";
    } else if (std::system(("set -e; ip link set lo up; " + commands).c_str()) != 0) {
      answer = "error: ip(8) could not set up the namespace: " + commands;
    } else {
      answer = hostIp(server);
    }
    (void)!::write(pipe_fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string answer;
  char buf[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) answer.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return answer;
}

class HostIpInNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() == 0 && ::access("/usr/sbin/ip", X_OK) == 0) return;
    // CI has both; a missing one there is a broken runner, not a reason to skip.
    if (const char* ci = std::getenv("CI"); ci && std::string(ci) == "true") {
      FAIL() << "network namespaces need root and iproute2";
    }
    GTEST_SKIP() << "network namespaces need root and iproute2";
  }
  // One end of a veth pair, addressed, with a default route through a gateway on its link.
  static constexpr const char* kLan =
      "ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up; "
      "ip addr add 10.9.8.7/24 dev v0; ";
};

TEST_F(HostIpInNamespace, ALocalServerGivesTheDefaultRoutesSourceNotLoopback) {
  const std::string lan = std::string(kLan) + "ip route add default via 10.9.8.1; ";
  EXPECT_EQ(hostIpInNamespace(lan, std::string("127.0.0.1")), "10.9.8.7");
  EXPECT_EQ(hostIpInNamespace(lan, std::string("localhost")), "10.9.8.7");
  EXPECT_EQ(hostIpInNamespace(lan, std::string("::1")), "10.9.8.7");
  EXPECT_EQ(hostIpInNamespace(lan, std::nullopt), "10.9.8.7");
}

TEST_F(HostIpInNamespace, ARemoteServerGivesTheAddressFacingIt) {
  // Two networks: the default route leaves by v0, the server sits on the second one.
  const std::string two = std::string(kLan) +
                          "ip route add default via 10.9.8.1; "
                          "ip link add w0 type veth peer name w1; ip link set w0 up; "
                          "ip link set w1 up; ip addr add 172.30.1.2/24 dev w0; ";
  EXPECT_EQ(hostIpInNamespace(two, std::string("172.30.1.9")), "172.30.1.2");
  EXPECT_EQ(hostIpInNamespace(two, std::string("203.0.113.50")), "10.9.8.7");
}

TEST_F(HostIpInNamespace, AnIpv6OnlyHostGivesItsIpv6Source) {
  const std::string v6 =
      "ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up; "
      "ip -6 addr add 2001:db8:5::7/64 dev v0 nodad; ip -6 route add default via 2001:db8:5::1; ";
  EXPECT_EQ(hostIpInNamespace(v6, std::string("127.0.0.1")), "2001:db8:5::7");
}

TEST_F(HostIpInNamespace, NoDefaultRouteGivesALinkAddressAndNoRouteAtAllLoopback) {
  EXPECT_EQ(hostIpInNamespace(kLan, std::nullopt), "10.9.8.7");
  EXPECT_EQ(hostIpInNamespace("true", std::string("127.0.0.1")), "127.0.0.1");
}

TEST(ReadHostInfo, FixtureMachineIdAndLiveProc) {
  test::TempTree tree;
  tree.write("etc/machine-id", "  3d1219c7c4c5404aaa1f6d2a48adfda4\n");
  CollectContext context;
  context.paths.etc = tree.root() / "etc";
  context.server_host = "127.0.0.1";
  const auto host = readHostInfo(context);
  EXPECT_EQ(host.machine_id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
  // A server on this machine says nothing of where the machine is in the fleet.
  EXPECT_EQ(host.ip, hostIp(std::nullopt));
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
