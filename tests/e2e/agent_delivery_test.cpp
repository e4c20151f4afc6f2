// vigia-agent send/run against the real vigia-server over 127.0.0.1: the spool, the exit codes
// of docs/cli.md, a server that goes away mid-delivery, and the run loop's signals.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "agent_fixture.hpp"
#include "background_process.hpp"
#include "common/identifiers.hpp"
#include "server_process.hpp"
#include "store_check.hpp"
#include "subprocess.hpp"
#include "test_report.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using vigia::test::BackgroundProcess;
using vigia::test::runProcess;
using vigia::test::ServerProcess;
using vigia::test::slurp;
using vigia::test::spooledIds;
using vigia::test::spoolReport;
using vigia::test::storedIds;
using vigia::test::TempDir;
using vigia::test::unusedPort;

std::string url(unsigned short port) { return "http://127.0.0.1:" + std::to_string(port); }

std::vector<std::string> sendArgs(unsigned short port, const fs::path& spool,
                                  std::vector<std::string> extra = {}, int timeout = 2) {
  std::vector<std::string> a = {
      VIGIA_AGENT_BIN, "send",         "--server",  url(port),
      "--spool-dir",   spool.string(), "--timeout", std::to_string(timeout)};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::size_t filesIn(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

void expectConsistent(const fs::path& data_dir) {
  const auto problems = vigia::test::consistencyProblems(vigia::test::readStores(data_dir));
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
}

TEST(AgentDelivery, ServerDownSpoolsThenEverythingGoesOldestFirst) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const unsigned short port = unusedPort();
  for (int run = 1; run <= 4; ++run) {
    const auto r = runProcess(sendArgs(port, spool, {}, 1));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(spooledIds(spool).size(), static_cast<std::size_t>(run));
  }
  const auto waiting = spooledIds(spool);

  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--listen",
                                          "127.0.0.1:" + std::to_string(port)});
  const auto r = runProcess(sendArgs(port, spool));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(spooledIds(spool).empty());
  const auto stored = storedIds(data);
  // The four waiting reports, in the order they were collected, then this run's own report.
  ASSERT_EQ(stored.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(stored.begin(), stored.begin() + 4), waiting);
  expectConsistent(data);
}

TEST(AgentDelivery, ServerKilledMidDeliveryLosesAndDuplicatesNothing) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = dir.path() / "data";
  constexpr int kWaiting = 80;
  std::set<std::string> expected;
  for (int i = 0; i < kWaiting; ++i) {
    expected.insert(spoolReport(spool, i + 1,
                                vigia::test::testReport({.ip = "10.1.0.1",
                                                         .collected_at = "2026-11-22T10:00:00Z",
                                                         .processes = 300,
                                                         .sessions = 1})));
  }
  const unsigned short port = unusedPort();
  const std::vector<std::string> listen = {"--data-dir", data.string(), "--listen",
                                           "127.0.0.1:" + std::to_string(port)};
  {
    ServerProcess server(VIGIA_SERVER_BIN, listen);
    BackgroundProcess agent(sendArgs(port, spool, {}, 1));
    // Kill the server for real once it has stored some, while the agent is still sending.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (storedIds(data).size() < 10 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(2ms);
    }
    server.stop(SIGKILL);
    const auto code = agent.waitExit(30s);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 3) << agent.output();
  }
  const std::size_t left = spooledIds(spool).size();
  EXPECT_GT(left, 0u) << "the server was killed after every report went: nothing was tested";

  ServerProcess again(VIGIA_SERVER_BIN, listen);
  const auto r = runProcess(sendArgs(port, spool));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(spooledIds(spool).empty());
  const auto stored = storedIds(data);
  const std::set<std::string> unique(stored.begin(), stored.end());
  EXPECT_EQ(unique.size(), stored.size());
  // Every spooled report, plus the report each of the two runs collected.
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kWaiting + 2));
  for (const auto& id : expected) EXPECT_TRUE(unique.contains(id)) << id;
  again.stop(SIGTERM);
  expectConsistent(data);
}

TEST(AgentDelivery, RejectedReportMovesAsideWithTheAnswerAndExits4) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = dir.path() / "data";
  auto bad = vigia::test::testReport({.processes = 2});
  bad["processes"][1]["pid"] = -1;
  const std::string bad_id = spoolReport(spool, 1, bad);
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  const auto r = runProcess(sendArgs(server.port(), spool));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("rejected"), std::string::npos) << r.err;
  EXPECT_TRUE(spooledIds(spool).empty());
  const auto rejected = spool / "rejected" / ("00000000000000000001-" + bad_id + ".json");
  EXPECT_EQ(nlohmann::json::parse(slurp(rejected)), bad);
  const std::string answer = slurp(fs::path(rejected).concat(".response"));
  EXPECT_TRUE(answer.starts_with("HTTP 400\n")) << answer;
  EXPECT_NE(answer.find("processes[1].pid"), std::string::npos) << answer;
  EXPECT_EQ(storedIds(data).size(), 1u);  // this run's own report still went through
}

TEST(AgentDelivery, SpoolBoundDropsTheOldestAndCorruptFilesMoveAside) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  for (int i = 1; i <= 5; ++i) spoolReport(spool, i, vigia::test::testReport());
  std::ofstream(spool / "00000000000000000000-torn.json") << "{\"report_id\": \"x";
  const auto before = spooledIds(spool);
  const fs::path config = dir.path() / "agent.toml";
  std::ofstream(config) << "spool_max_reports = 3\n";

  const auto r = runProcess(sendArgs(unusedPort(), spool, {"--config", config.string()}, 1));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("spool full"), std::string::npos) << r.err;
  const auto after = spooledIds(spool);
  ASSERT_EQ(after.size(), 3u);
  // The newest two of before (oldest first: torn, 1..5) and this run's report survive;
  // the torn file was dropped as the oldest or moved aside, never sent.
  EXPECT_EQ(after[0], before[4]);
  EXPECT_EQ(after[1], before[5]);

  // A corrupt file is moved aside at delivery, never sent, and does not stop the others.
  std::ofstream(spool / "00000000000000000009-torn.json") << "not json";
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  const auto ok = runProcess(sendArgs(server.port(), spool));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(spool / "corrupt" / "00000000000000000009-torn.json"));
  EXPECT_EQ(storedIds(data).size(), 4u) << ok.err;  // the three kept and this run's own
}

TEST(AgentDelivery, UsageErrorsExit2AndNothingIsSent) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  for (const std::vector<std::string>& args : {
           std::vector<std::string>{VIGIA_AGENT_BIN, "send", "--server", "http://192.0.2.1:80",
                                    "--spool-dir", spool.string()},
           std::vector<std::string>{VIGIA_AGENT_BIN, "send", "--spool-dir", spool.string()},
           std::vector<std::string>{VIGIA_AGENT_BIN, "send", "--server", "ftp://127.0.0.1"},
           std::vector<std::string>{VIGIA_AGENT_BIN, "run", "--server", "http://127.0.0.1:1",
                                    "--interval", "0"},
           std::vector<std::string>{VIGIA_AGENT_BIN, "send", "--bogus"},
       }) {
    const auto r = runProcess(args, {"VIGIA_SERVER="});
    EXPECT_EQ(r.exit_code, 2) << args.back() << "\n" << r.err;
  }
  EXPECT_EQ(filesIn(spool), 0u);
}

TEST(AgentDelivery, EnvironmentSuppliesTheServerAndProxiesSkipLoopback) {
  TempDir dir;
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  // A proxy in the environment (here a dead one) is not used to reach a loopback server.
  const std::string dead_proxy = url(unusedPort());
  const auto r = runProcess({VIGIA_AGENT_BIN, "send", "--spool-dir", (dir.path() / "s").string()},
                            {"VIGIA_SERVER=" + url(server.port()), "http_proxy=" + dead_proxy,
                             "HTTPS_PROXY=" + dead_proxy, "ALL_PROXY=" + dead_proxy});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(storedIds(data).size(), 1u);
}

TEST(AgentDelivery, RunReportsEveryIntervalAndStopsAtOnceOnSigterm) {
  TempDir dir;
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  BackgroundProcess agent({VIGIA_AGENT_BIN, "run", "--server", url(server.port()), "--interval",
                           "1", "--spool-dir", (dir.path() / "spool").string(), "--token",
                           "hide-me-please"});
  // The token given as a flag does not stay visible to other users (once the agent is up).
  ASSERT_TRUE(agent.waitForOutput("running:", 10s)) << agent.output();
  const std::string cmdline = slurp("/proc/" + std::to_string(agent.pid()) + "/cmdline");
  EXPECT_EQ(cmdline.find("hide-me-please"), std::string::npos);

  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (storedIds(data).size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(storedIds(data).size(), 2u) << agent.output();
  const auto asked = std::chrono::steady_clock::now();
  agent.signal(SIGTERM);
  const auto code = agent.waitExit(5s);
  const auto took = std::chrono::steady_clock::now() - asked;
  ASSERT_TRUE(code.has_value()) << agent.output();
  EXPECT_EQ(*code, 0) << agent.output();
  EXPECT_LT(took, 1s);
  EXPECT_EQ(agent.output().find("hide-me-please"), std::string::npos);
}

TEST(AgentDelivery, SighupReloadsTheConfigurationAndTheSpoolDrains) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto config = dir.path() / "agent.toml";
  const auto spool = dir.path() / "spool";
  auto writeConfig = [&](unsigned short port) {
    std::ofstream(config) << "server = \"" << url(port) << "\"\ninterval = 1\ntimeout = 1\n"
                          << "spool_dir = \"" << spool.string() << "\"\n";
  };
  writeConfig(unusedPort());
  BackgroundProcess agent({VIGIA_AGENT_BIN, "run", "--config", config.string()});
  ASSERT_TRUE(agent.waitForOutput("not delivered", 20s)) << agent.output();

  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  writeConfig(server.port());
  agent.signal(SIGHUP);
  ASSERT_TRUE(agent.waitForOutput("configuration reloaded", 10s)) << agent.output();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (storedIds(data).size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(storedIds(data).size(), 2u) << agent.output();

  // A broken file on reload keeps the running configuration.
  std::ofstream(config) << "interval = \"often\"\n";
  agent.signal(SIGHUP);
  EXPECT_TRUE(agent.waitForOutput("reload refused", 10s)) << agent.output();
  agent.signal(SIGINT);
  EXPECT_EQ(agent.waitExit(5s), std::optional<int>(0)) << agent.output();
}

}  // namespace
