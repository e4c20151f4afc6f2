#include "compliance/network_match.hpp"

#include <gtest/gtest.h>

namespace vigia::compliance {
namespace {

bool inCidr(const char* cidr, const char* address) {
  const auto c = parseCidr(cidr);
  const auto a = parseIpAddress(address);
  EXPECT_TRUE(c) << cidr;
  EXPECT_TRUE(a) << address;
  return c && a && c->contains(*a);
}

TEST(NetworkMatch, CidrsContainTheirAddresses) {
  EXPECT_TRUE(inCidr("10.0.0.0/8", "10.255.3.4"));
  EXPECT_FALSE(inCidr("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(inCidr("172.16.0.0/12", "172.31.255.255"));
  EXPECT_FALSE(inCidr("172.16.0.0/12", "172.32.0.0"));
  EXPECT_TRUE(inCidr("192.168.1.10", "192.168.1.10"));  // an address alone is one host
  EXPECT_FALSE(inCidr("192.168.1.10", "192.168.1.11"));
  EXPECT_TRUE(inCidr("0.0.0.0/0", "8.8.8.8"));
  EXPECT_TRUE(inCidr("10.0.9.0/24", "10.0.9.77"));
  EXPECT_FALSE(inCidr("10.0.9.0/25", "10.0.9.200"));
  EXPECT_TRUE(inCidr("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(inCidr("fd00::/8", "fe80::1"));
  EXPECT_TRUE(inCidr("2001:db8::/32", "2001:db8:ffff::1"));
  EXPECT_TRUE(inCidr("::/0", "::1"));
  EXPECT_FALSE(inCidr("::/0", "10.0.0.1"));  // families never mix
  EXPECT_FALSE(inCidr("0.0.0.0/0", "::1"));
  // A mapped address is its IPv4 address, as the report's host.ip is.
  EXPECT_TRUE(inCidr("10.0.0.0/8", "::ffff:10.1.2.3"));
  EXPECT_TRUE(inCidr("fe80::/10", "fe80::1%eth0"));  // a zone is ignored
}

TEST(NetworkMatch, BadCidrsAreRefusedWithAReason) {
  const char* bad[] = {
      "",           "10.0.0.0/33", "10.0.0.0/",   "10.0.0.0/x",  "10.0.0/8",       "300.0.0.0/8",
      "fd00::/129", "bastion-*",   "10.0.0.0/08", "10.0.0.0/-1", "fe80::1%eth0/64"};
  for (const char* text : bad) {
    CidrError error;
    EXPECT_FALSE(parseCidr(text, &error)) << text;
    EXPECT_NE(error.reason.find("bad CIDR"), std::string::npos) << text << ": " << error.reason;
  }
  CidrError error;
  EXPECT_FALSE(parseCidr("10.0.0.5/8", &error));
  EXPECT_NE(error.reason.find("10.0.0.0/8"), std::string::npos) << error.reason;
  EXPECT_FALSE(parseCidr("fd00::1/8", &error));
  EXPECT_NE(error.reason.find("fd00::/8"), std::string::npos) << error.reason;
}

TEST(NetworkMatch, GlobsFollowFnmatchIgnoringCase) {
  EXPECT_TRUE(globMatches("bastion-*", "bastion-01"));
  EXPECT_TRUE(globMatches("bastion-*", "BASTION-02"));
  EXPECT_FALSE(globMatches("bastion-*", "web-01"));
  EXPECT_TRUE(globMatches("db-0[1-3].example.com", "db-02.example.com"));
  EXPECT_FALSE(globMatches("db-0[1-3].example.com", "db-04.example.com"));
  EXPECT_TRUE(globMatches("*.example.com", "a.b.example.com"));  // no FNM_PATHNAME
  EXPECT_TRUE(globMatches("web-?", "web-1"));
  EXPECT_FALSE(globMatches("web-?", "web-10"));
}

TEST(NetworkMatch, HostPatternsMatchAddressesByNetworkAndNamesByGlob) {
  HostPatterns p;
  p.addNetwork(*parseCidr("10.0.0.0/8"));
  p.addGlob("*.corp.example.com");
  p.addGlob("192.168.7.*");
  EXPECT_TRUE(p.matches("10.2.3.4"));
  EXPECT_TRUE(p.matches("vpn.corp.example.com"));
  EXPECT_TRUE(p.matches("192.168.7.9"));  // a glob over an address's text
  EXPECT_FALSE(p.matches("192.168.8.9"));
  EXPECT_FALSE(p.matches("evil.example.net"));
  EXPECT_FALSE(p.matches("10.example.net"));  // a name is never taken for a network
}

}  // namespace
}  // namespace vigia::compliance
