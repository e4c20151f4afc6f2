#include "agent/collect_report.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/report_json.hpp"
#include "common/validate.hpp"

namespace vigia::agent {
namespace {

TEST(CollectReport, LiveReportValidatesAndMeasuresTheAgent) {
  const auto outcome = collectReport(CollectContext{});
  for (const auto& w : outcome.warnings) ADD_FAILURE() << "warning: " << w;
  const auto& r = outcome.report;
  auto valid = common::parseAndValidate(common::toJson(r).dump());
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  EXPECT_EQ(valid->report.report_id, r.report_id);
  ASSERT_TRUE(r.agent.collect_ms.has_value());
  ASSERT_TRUE(r.agent.cpu_seconds.has_value());
  ASSERT_TRUE(r.agent.peak_rss_bytes.has_value());
  EXPECT_GT(*r.agent.peak_rss_bytes, 0);
  std::set<std::int64_t> pids;
  for (const auto& p : r.processes)
    EXPECT_TRUE(pids.insert(p.pid).second) << "pid twice: " << p.pid;
  EXPECT_FALSE(r.processes.empty());
}

TEST(CollectReport, MissingSourcesStillGiveAValidReport) {
  CollectContext context;
  context.paths.proc = "/nonexistent/proc";
  context.paths.sys = "/nonexistent/sys";
  context.paths.etc = "/nonexistent/etc";
  context.paths.usr_lib = "/nonexistent/usr/lib";
  context.paths.utmp = "/nonexistent/utmp";
  context.paths.use_logind = false;
  const auto outcome = collectReport(context);
  EXPECT_FALSE(outcome.warnings.empty());
  EXPECT_TRUE(common::parseAndValidate(common::toJson(outcome.report).dump()).ok());
  EXPECT_EQ(outcome.report.cpu.model, "unknown");
  EXPECT_TRUE(outcome.report.processes.empty());
}

}  // namespace
}  // namespace vigia::agent
