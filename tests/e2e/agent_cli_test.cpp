// `vigia-agent` as a user runs it: exit codes of docs/cli.md and a report that validates and
// matches this machine.

#include <gtest/gtest.h>
#include <unistd.h>

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
