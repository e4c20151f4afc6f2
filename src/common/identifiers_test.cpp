#include "common/identifiers.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vigia::common {
namespace {

TEST(Uuid, NewUuidsAreVersion4LowerCaseAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = newUuidV4();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    auto canonical = canonicalUuid(id);
    ASSERT_TRUE(canonical.ok());
    EXPECT_EQ(*canonical, id);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, CanonicalFormIsLowerCase) {
  EXPECT_EQ(*canonicalUuid("3F1C6A52-6A0E-4E8A-9D3B-1F2A0C9B7E41"),
            "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41");
}

TEST(Uuid, RejectsMalformed) {
  for (const char* bad :
       {"", "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e4", "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e411",
        "3f1c6a526a0e-4e8a-9d3b-1f2a0c9b7e41-", "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e4g",
        "{3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e}", "../../../../../../../../etc/passwd00"}) {
    EXPECT_FALSE(canonicalUuid(bad).ok()) << bad;
  }
}

struct IpCase {
  const char* input;
  const char* canonical;  // nullptr: must be rejected
};

TEST(Ip, CanonicalFormsAsInetNtopWritesThem) {
  const IpCase cases[] = {
      {"10.0.0.5", "10.0.0.5"},
      {"::ffff:10.0.0.5", "10.0.0.5"},
      {"::FFFF:10.0.0.5", "10.0.0.5"},
      {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
      {"2001:db8::1", "2001:db8::1"},
      {"::1", "::1"},
      {"0:0:0:0:0:0:0:1", "::1"},
      {"127.0.0.1", "127.0.0.1"},
      {"../../etc/passwd", nullptr},
      {"10.0.0.5/24", nullptr},
      {"010.0.0.5", nullptr},
      {"10.0.0", nullptr},
      {"fe80::1%eth0", nullptr},
      {"web-01", nullptr},
      {"", nullptr},
      {" 10.0.0.5", nullptr},
      {"10.0.0.5\n", nullptr},
  };
  for (const auto& c : cases) {
    auto r = canonicalIp(c.input);
    if (c.canonical) {
      ASSERT_TRUE(r.ok()) << c.input;
      EXPECT_EQ(*r, c.canonical) << c.input;
    } else {
      EXPECT_FALSE(r.ok()) << c.input << " gave " << (r.ok() ? *r : "");
    }
  }
}

TEST(Ip, EmbeddedNulIsRejected) {
  EXPECT_FALSE(canonicalIp(std::string_view("10.0.0.5\0../x", 13)).ok());
}

TEST(Ip, LoopbackAddressesAreIpLiteralsOnly) {
  for (const char* yes : {"127.0.0.1", "127.255.0.9", "::1"})
    EXPECT_TRUE(isLoopbackAddress(yes)) << yes;
  for (const char* no :
       {"128.0.0.1", "10.0.0.1", "::", "::2", "::ffff:127.0.0.1", "localhost", "", "127.0.0.1 "}) {
    EXPECT_FALSE(isLoopbackAddress(no)) << no;
  }
}

TEST(BearerToken, VisibleAsciiWithoutSpacesOnly) {
  EXPECT_TRUE(isBearerTokenText("abc-123_XYZ.~+/="));
  EXPECT_TRUE(isBearerTokenText("!"));
  EXPECT_TRUE(isBearerTokenText("~"));
  for (const std::string_view bad :
       {std::string_view(""), std::string_view("a b"), std::string_view("a\tb"),
        std::string_view("a\r\nX-Evil: 1"), std::string_view("a\x7f"),
        std::string_view("caf\xc3\xa9"), std::string_view("a\0b", 3)}) {
    EXPECT_FALSE(isBearerTokenText(bad)) << bad;
  }
}

}  // namespace
}  // namespace vigia::common
