// Secrets in command lines never leave the host (docs/cli.md): real processes started with
// secrets in every default form, through the real agent, into the real server. The agent's
// own output, and the CSV, the JSON Lines and the database, hold *** instead; command lines
// without a secret come through whole.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "background_process.hpp"
#include "day_file.hpp"
#include "read_file.hpp"
#include "server_process.hpp"
#include "storage_backends.hpp"
#include "subprocess.hpp"

namespace {

using nlohmann::json;
using vigia::test::BackgroundProcess;
using vigia::test::runProcess;
using vigia::test::ServerProcess;
using vigia::test::TempDir;

struct Case {
  std::vector<std::string> args;  // after "sh -c <script> <name>"
  std::string expected_tail;      // how the command line must end in the report
  std::string secret;             // must appear nowhere ("" when nothing is secret)
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {{"--password=hunter2", "-u", "root"}, "--password=*** -u root", "hunter2"},
      {{"--password", "swordfish"}, "--password ***", "swordfish"},
      {{"-token", "tok3n-abc"}, "-token ***", "tok3n-abc"},
      {{"--API_KEY=AKIAXYZ"}, "--API_KEY=***", "AKIAXYZ"},
      {{"--access-key", "AK-77"}, "--access-key ***", "AK-77"},
      {{"--secret=s3cr3t-v4lue"}, "--secret=***", "s3cr3t-v4lue"},
      {{"https://deploy:pa55w0rd@git.example.com/r.git"},
       "https://deploy:***@git.example.com/r.git",
       "pa55w0rd"},
      {{"DB_PASSWORD=dbpw123", "API_TOKEN=apitok9"}, "DB_PASSWORD=*** API_TOKEN=***", "dbpw123"},
      {{"ssh", "-p", "22", "host.example.com"}, "ssh -p 22 host.example.com", ""},
      {{"--compress", "zstd", "--user=alice"}, "--compress zstd --user=alice", ""},
  };
  return all;
}

class AgentRedaction : public ::testing::Test {
 protected:
  std::vector<std::unique_ptr<BackgroundProcess>> processes_;

  void SetUp() override {
    for (std::size_t i = 0; i < cases().size(); ++i) {
      std::vector<std::string> argv = {"/bin/sh", "-c",
                                       "sleep 300; :", "vigia-redaction-" + std::to_string(i)};
      argv.insert(argv.end(), cases()[i].args.begin(), cases()[i].args.end());
      processes_.push_back(std::make_unique<BackgroundProcess>(argv));
    }
  }

  // The command the report gives for case i's process.
  static std::string commandOf(const json& report, std::size_t i) {
    for (const auto& p : report["processes"]) {
      const std::string c = p.value("command", "");
      if (c.find("vigia-redaction-" + std::to_string(i) + " ") != std::string::npos) return c;
    }
    return "<not found>";
  }
};

TEST_F(AgentRedaction, CollectOutputAndEveryStoreHoldStarsInsteadOfSecrets) {
  const auto collected = runProcess({VIGIA_AGENT_BIN, "collect"});
  ASSERT_EQ(collected.exit_code, 0) << collected.err;
  const json report = json::parse(collected.out);
  for (std::size_t i = 0; i < cases().size(); ++i) {
    const std::string command = commandOf(report, i);
    EXPECT_TRUE(command.ends_with(cases()[i].expected_tail)) << command;
    if (!cases()[i].secret.empty()) {
      EXPECT_EQ(collected.out.find(cases()[i].secret), std::string::npos) << cases()[i].secret;
    }
  }

  TempDir dir;
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  const auto sent = runProcess({VIGIA_AGENT_BIN, "send", "--server",
                                "http://127.0.0.1:" + std::to_string(server.port()), "--spool-dir",
                                (dir.path() / "spool").string()});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_EQ(server.stop(SIGTERM), 0);
  std::string everything;
  for (const char* sub : {"csv", "json"}) {
    for (const auto& f : std::filesystem::directory_iterator(data / sub)) {
      everything += *vigia::test::readDayFile(f.path());
    }
  }
  for (const auto& row :
       vigia::test::sqliteRows(data / "vigia.db", "SELECT command FROM process_runs")) {
    everything += row.at(0) + "\n";
  }
  EXPECT_NE(everything.find("--password=*** -u root"), std::string::npos);
  EXPECT_NE(everything.find("ssh -p 22 host.example.com"), std::string::npos);
  for (const auto& c : cases()) {
    if (!c.secret.empty()) {
      EXPECT_EQ(everything.find(c.secret), std::string::npos) << c.secret;
    }
  }
}

TEST_F(AgentRedaction, ExtraPatternsAddToTheDefaultsAndRedactFalseTurnsItOff) {
  TempDir dir;
  const auto config = dir.path() / "agent.toml";
  std::ofstream(config) << "redact_patterns = ['host\\.(example)\\.com']\n";
  auto r = runProcess({VIGIA_AGENT_BIN, "collect", "--config", config.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = json::parse(r.out);
  EXPECT_TRUE(commandOf(report, 8).ends_with("ssh -p 22 host.***.com")) << commandOf(report, 8);
  EXPECT_TRUE(commandOf(report, 0).ends_with("--password=*** -u root")) << "defaults stay";

  std::ofstream(config) << "redact = false\n";
  r = runProcess({VIGIA_AGENT_BIN, "collect", "--config", config.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  report = json::parse(r.out);
  EXPECT_TRUE(commandOf(report, 0).ends_with("--password=hunter2 -u root")) << commandOf(report, 0);

  std::ofstream(config) << "redact_patterns = ['(unclosed']\n";
  r = runProcess({VIGIA_AGENT_BIN, "collect", "--config", config.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("redact_patterns[0]"), std::string::npos) << r.err;
}

}  // namespace
