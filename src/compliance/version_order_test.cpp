#include "compliance/version_order.hpp"

#include <gtest/gtest.h>

namespace vigia::compliance {
namespace {

struct OrderCase {
  const char* a;
  const char* b;
  int expected;  // sign of compareVersions(a, b)
};

int sign(int v) { return (v > 0) - (v < 0); }

TEST(VersionOrder, NaturalOrderTable) {
  const OrderCase cases[] = {
      {"22.04", "22.10", -1},
      {"9", "12", -1},
      {"12", "9", 1},
      {"12", "12", 0},
      {"22.04", "22.4", 0},  // leading zeros are the same number
      {"11", "12", -1},
      {"12.5", "12", 1},  // a longer version is after its prefix in the total order
      {"6.1.0-13-amd64", "6.1.0-9-amd64", 1},
      {"6.1.0-13-amd64", "6.1", 1},
      {"5.15.0-91-generic", "5.15.0-101-generic", -1},
      {"6.1.0-13", "6.1.0.13", 0},  // separators only split runs
      {"1.0rc1", "1.0.1", -1},      // letters sort before digits at the same place
      {"1.0a", "1.0b", -1},
      {"1.0A", "1.0a", 0},  // ASCII case ignored
      {"", "1", -1},
      {"", "", 0},
      {"99999999999999999999999", "100000000000000000000000", -1},  // longer than any integer
      {"00012", "12", 0},
      {"2.6.32", "2.6.9", 1},
      {"10.0", "9.99", 1},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sign(compareVersions(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
    EXPECT_EQ(sign(compareVersions(c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
  }
}

struct BoundCase {
  const char* version;
  const char* min;  // "" for none
  const char* max;
  bool within;
};

TEST(VersionOrder, BoundsAdmitTheVersionsTheyArePrefixesOf) {
  const BoundCase cases[] = {
      {"12", "12", "", true},
      {"11", "12", "", false},
      {"22.04", "22.04", "", true},
      {"20.04", "22.04", "", false},
      {"22.10", "22.04", "", true},
      {"6.1.0-13-amd64", "6.1", "", true},
      {"6.1.0-13-amd64", "", "6.1", true},  // max "6.1" admits every 6.1.x
      {"6.2.0", "", "6.1", false},
      {"6.1.0-13-amd64", "6.1.0-14", "", false},
      {"6.1.0-13-amd64", "6.1.0-13", "6.1.0-13", true},
      {"5.10.0-28-amd64", "6.1", "", false},
      {"12.5", "", "12", true},
      {"12", "", "12.5", true},
      {"13", "", "12", false},
      {"", "1", "", false},
  };
  for (const auto& c : cases) {
    const bool within = (*c.min == '\0' || versionAtLeast(c.version, c.min)) &&
                        (*c.max == '\0' || versionAtMost(c.version, c.max));
    EXPECT_EQ(within, c.within) << c.version << " in [" << c.min << ", " << c.max << "]";
  }
}

}  // namespace
}  // namespace vigia::compliance
