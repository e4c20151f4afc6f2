// `vigia-agent` as a user runs it: exit codes of docs/cli.md and a report that validates and
// matches this machine.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/validate.hpp"
#include "read_file.hpp"
#include "subprocess.hpp"

namespace {

using vigia::test::runProcess;

TEST(AgentCli, CollectPrintsOneValidReportOfThisMachine) {
  const auto r = runProcess({VIGIA_AGENT_BIN, "collect"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "compact output is one line";

  auto validated = vigia::common::parseAndValidate(r.out);
  ASSERT_TRUE(validated.ok()) << validated.error().message;
  const auto& report = validated->report;

  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  EXPECT_EQ(report.host.hostname, hostname);

  const std::string os_release = vigia::test::readWholeFile("/etc/os-release");
  EXPECT_NE(os_release.find("NAME=\"" + report.os.name + "\""), std::string::npos)
      << report.os.name;

  // The test runner (our parent) is a live process the agent must have seen.
  bool saw_parent = false;
  for (const auto& p : report.processes) saw_parent = saw_parent || p.pid == ::getpid();
  EXPECT_TRUE(saw_parent);
  EXPECT_GT(report.processes.size(), 1u);
  ASSERT_TRUE(report.agent.collect_ms.has_value());
  ASSERT_TRUE(report.agent.peak_rss_bytes.has_value());
  EXPECT_GT(*report.agent.peak_rss_bytes, 0);
}

TEST(AgentCli, PrettyOutputIsIndentedAndValid) {
  const auto r = runProcess({VIGIA_AGENT_BIN, "collect", "--pretty"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n  \"report_id\": "), std::string::npos);
  EXPECT_TRUE(vigia::common::parseAndValidate(r.out).ok());
}

TEST(AgentCli, EveryRunHasItsOwnReportId) {
  const auto a = vigia::common::parseAndValidate(runProcess({VIGIA_AGENT_BIN, "collect"}).out);
  const auto b = vigia::common::parseAndValidate(runProcess({VIGIA_AGENT_BIN, "collect"}).out);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->report.report_id, b->report.report_id);
}

TEST(AgentCli, VersionAndHelpExitZero) {
  const auto v = runProcess({VIGIA_AGENT_BIN, "--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("vigia-agent " VIGIA_VERSION), std::string::npos) << v.out;
  const auto h = runProcess({VIGIA_AGENT_BIN, "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("collect"), std::string::npos);
}

TEST(AgentCli, UsageErrorsExitTwo) {
  EXPECT_EQ(runProcess({VIGIA_AGENT_BIN}).exit_code, 2);
  EXPECT_EQ(runProcess({VIGIA_AGENT_BIN, "frobnicate"}).exit_code, 2);
  const auto bad_flag = runProcess({VIGIA_AGENT_BIN, "collect", "--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_FALSE(bad_flag.err.empty());
  EXPECT_TRUE(bad_flag.out.empty());
}

}  // namespace

namespace {

// What --print-config writes loads back to itself: every flag's value survives, and the token
// is redacted, never printed.
TEST(AgentCli, PrintConfigRoundTripsWithTheSecretRedacted) {
  const auto first =
      runProcess({VIGIA_AGENT_BIN, "run", "--server", "https://vigia.example:8443", "--token",
                  "a-very-secret-token", "--interval", "17", "--no-redact", "--redact-pattern",
                  "key=(\\S+)", "--spool-max-reports", "9", "--print-config"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.find("a-very-secret-token"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("interval = 17"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("redact = false"), std::string::npos) << first.out;

  const auto file = std::filesystem::temp_directory_path() /
                    ("vigia-print-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << first.out;
  const auto second =
      runProcess({VIGIA_AGENT_BIN, "run", "--config", file.string(), "--print-config"});
  std::filesystem::remove(file);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
}

TEST(AgentCli, AConfigFileTypoIsAUsageErrorWithItsLine) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("vigia-typo-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "server = \"https://vigia.example\"\n\nintreval = 5\n";
  const auto r = runProcess({VIGIA_AGENT_BIN, "send", "--config", file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":3: unknown key \"intreval\""), std::string::npos) << r.err;
}

}  // namespace
