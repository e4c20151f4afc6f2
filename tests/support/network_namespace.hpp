#pragma once

// A client host of its own for end-to-end tests: a network namespace joined to this one by a
// veth pair (10.213.N.1 here; 10.213.N.2 and .3 there), so that a server here sees requests
// from addresses that are not loopback. Needs root and iproute2; where either is missing, ready()
// is false and the test skips. Removed with everything in it on destruction.

#include <string>
#include <vector>

#include "subprocess.hpp"

namespace vigia::test {

class NetworkNamespace {
 public:
  NetworkNamespace();
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  bool ready() const { return ready_; }
  const std::string& whyNot() const { return why_not_; }
  const std::string& hostAddress() const { return host_address_; }  // this side
  const std::string& peerAddress() const { return peer_address_; }  // the namespace's side
  const std::string& secondPeerAddress() const { return second_peer_address_; }

  // Runs argv (argv[0] a path) inside the namespace.
  ProcessResult run(const std::vector<std::string>& argv) const;

 private:
  std::string name_, host_link_, host_address_, peer_address_, second_peer_address_, why_not_;
  bool ready_ = false;
};

}  // namespace vigia::test
