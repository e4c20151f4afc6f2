#include "network_namespace.hpp"

#include <unistd.h>

#include <random>

namespace vigia::test {
namespace {

const char* kIp = "/usr/sbin/ip";

}  // namespace

NetworkNamespace::NetworkNamespace() {
  if (::geteuid() != 0 || ::access(kIp, X_OK) != 0) {
    why_not_ = "network namespaces need root and iproute2";
    return;
  }
  const unsigned n = std::random_device{}() % 250 + 1;
  name_ = "vigia-test-" + std::to_string(::getpid()) + "-" + std::to_string(n);
  host_link_ = "vgh" + std::to_string(::getpid() % 100000) + std::to_string(n % 10);
  const std::string peer_link =
      "vgp" + std::to_string(::getpid() % 100000) + std::to_string(n % 10);
  host_address_ = "10.213." + std::to_string(n) + ".1";
  peer_address_ = "10.213." + std::to_string(n) + ".2";
  second_peer_address_ = "10.213." + std::to_string(n) + ".3";
  const std::vector<std::vector<std::string>> steps = {
      {kIp, "netns", "add", name_},
      {kIp, "link", "add", host_link_, "type", "veth", "peer", "name", peer_link},
      {kIp, "link", "set", peer_link, "netns", name_},
      {kIp, "addr", "add", host_address_ + "/24", "dev", host_link_},
      {kIp, "link", "set", host_link_, "up"},
      {kIp, "-n", name_, "addr", "add", peer_address_ + "/24", "dev", peer_link},
      {kIp, "-n", name_, "addr", "add", second_peer_address_ + "/24", "dev", peer_link},
      {kIp, "-n", name_, "link", "set", peer_link, "up"},
      {kIp, "-n", name_, "link", "set", "lo", "up"},
  };
  for (const auto& step : steps) {
    const auto r = runProcess(step);
    if (r.exit_code != 0) {
      why_not_ = "cannot make a network namespace: " + r.err;
      return;
    }
  }
  ready_ = true;
}

NetworkNamespace::~NetworkNamespace() {
  if (name_.empty()) return;
  (void)runProcess({kIp, "link", "del", host_link_});  // takes the peer end with it
  (void)runProcess({kIp, "netns", "del", name_});
}

ProcessResult NetworkNamespace::run(const std::vector<std::string>& argv) const {
  std::vector<std::string> full = {kIp, "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return runProcess(full);
}

}  // namespace vigia::test
