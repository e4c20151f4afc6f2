#include "agent/collectors/os_release.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vigia::agent {
namespace {

const std::string kFixtures = VIGIA_FIXTURES_DIR;

TEST(ParseOsRelease, ShellQuotingRules) {
  const auto v = parseOsRelease(
      "# comment\n"
      "\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "SINGLE='it''s'\n"
      "ESCAPED=\"say \\\"hi\\\" \\\\ \\$HOME \\`x\\` \\n\"\n"
      "BARE=bookworm\n"
      "BARE_ESCAPE=a\\ b\n"
      "EMPTY=\n"
      "  SPACED=\"trimmed line\"  \n"
      "not a key=1\n"
      "NOEQUALS\n"
      "=novalue\n"
      "UTF8=\"caf\xC3\xA9 \xFF\"\n");
  EXPECT_EQ(v.at("NAME"), "Debian GNU/Linux");
  EXPECT_EQ(v.at("SINGLE"), "its");
  EXPECT_EQ(v.at("ESCAPED"), "say \"hi\" \\ $HOME `x` \\n");
  EXPECT_EQ(v.at("BARE"), "bookworm");
  EXPECT_EQ(v.at("BARE_ESCAPE"), "a b");
  EXPECT_EQ(v.at("EMPTY"), "");
  EXPECT_EQ(v.at("SPACED"), "trimmed line");
  EXPECT_EQ(v.at("UTF8"), "caf\xC3\xA9 \xEF\xBF\xBD") << "invalid bytes become U+FFFD";
  EXPECT_EQ(v.count("not a key"), 0u);
  EXPECT_EQ(v.count("NOEQUALS"), 0u);
  EXPECT_EQ(v.size(), 8u);
}

TEST(OsInfoFrom, VersionFallsBackToVersionIdThenKernel) {
  const KernelIdentity kernel{"6.1.0-18-amd64", "x86_64"};
  struct Case {
    std::map<std::string, std::string> values;
    const char* name;
    const char* version;
  } cases[] = {
      {{{"NAME", "Debian GNU/Linux"}, {"VERSION", "12 (bookworm)"}, {"VERSION_ID", "12"}},
       "Debian GNU/Linux",
       "12 (bookworm)"},
      {{{"NAME", "Arch Linux"}, {"VERSION_ID", "rolling"}}, "Arch Linux", "rolling"},
      {{{"NAME", "Gentoo"}}, "Gentoo", "6.1.0-18-amd64"},
      {{}, "Linux", "6.1.0-18-amd64"},
      {{{"NAME", ""}, {"VERSION", ""}}, "Linux", "6.1.0-18-amd64"},
  };
  for (const auto& c : cases) {
    const auto os = osInfoFrom(c.values, kernel);
    EXPECT_EQ(os.name, c.name);
    EXPECT_EQ(os.version, c.version);
    EXPECT_EQ(os.kernel, "6.1.0-18-amd64");
    EXPECT_EQ(os.arch, "x86_64");
  }
  EXPECT_EQ(osInfoFrom({}, kernel).id, "linux");
}

TEST(ReadOsInfo, EtcFirstThenUsrLib) {
  SystemPaths debian;
  debian.etc = kFixtures + "/os/debian12/etc";
  debian.usr_lib = kFixtures + "/os/debian12/usr/lib";
  const auto os = readOsInfo(debian, {"6.1.0", "x86_64"});
  EXPECT_EQ(os.name, "Debian GNU/Linux");
  EXPECT_EQ(os.version, "12 (bookworm)");
  EXPECT_EQ(os.id, "debian");
  EXPECT_EQ(os.version_id, "12");

  SystemPaths alpine;
  alpine.etc = kFixtures + "/os/usr-only/etc";
  alpine.usr_lib = kFixtures + "/os/usr-only/usr/lib";
  const auto fallback = readOsInfo(alpine, {"6.1.0", "aarch64"});
  EXPECT_EQ(fallback.name, "Alpine Linux");
  EXPECT_EQ(fallback.version, "3.19.1");
  EXPECT_EQ(fallback.arch, "aarch64");
}

TEST(ReadOsInfo, LiveMachineMatchesEtcOsRelease) {
  std::ifstream in("/etc/os-release");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const auto os = readOsInfo(SystemPaths{}, currentKernel());
  EXPECT_NE(text.find("NAME=\"" + os.name + "\""), std::string::npos) << os.name;
  EXPECT_NE(text.find("VERSION=\"" + os.version + "\""), std::string::npos) << os.version;
  EXPECT_FALSE(os.kernel.value_or("").empty());
}

}  // namespace
}  // namespace vigia::agent
