// vigia-agent against a server that guards itself (docs/cli.md, docs/api.md): tokens (401/403 keep
// the reports, exit 5), a rate limit and a full disk (429 and 503 Retry-After are waited out,
// within the timeout), HTTPS
// checked against --ca-file, and mutual TLS. Certificates are made by the test with `openssl`.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "agent_fixture.hpp"
#include "background_process.hpp"
#include "network_namespace.hpp"
#include "server_process.hpp"
#include "small_disk.hpp"
#include "store_check.hpp"
#include "subprocess.hpp"
#include "test_pki.hpp"
#include "test_report.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using vigia::test::runProcess;
using vigia::test::ServerProcess;
using vigia::test::spooledIds;
using vigia::test::spoolReport;
using vigia::test::storedIds;
using vigia::test::TempDir;
using vigia::test::TestPki;

const std::string kIngestToken = "ingest-7f3a9c2e51d84b06a1e2";
const std::string kReadToken = "reader-0b5e8d7c6a4f3e2d1c0b";

std::vector<std::string> send(const std::string& server, const fs::path& spool,
                              std::vector<std::string> extra, int timeout = 2) {
  std::vector<std::string> a = {
      VIGIA_AGENT_BIN, "send",         "--server",  server,
      "--spool-dir",   spool.string(), "--timeout", std::to_string(timeout)};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::string http(const ServerProcess& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }
std::string https(const ServerProcess& s, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(s.port());
}

void expectConsistent(const fs::path& data_dir) {
  const auto problems = vigia::test::consistencyProblems(vigia::test::readStores(data_dir));
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
}

TEST(AgentAuth, RefusedTokensKeepTheReportsUntilTheRightOneDeliversThem) {
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--ingest-token",
                                          kIngestToken, "--read-token", kReadToken});
  struct Case {
    std::string what;
    std::vector<std::string> token_args;
    std::string status;
  };
  const std::vector<Case> refused = {
      {"no token", {}, "HTTP 401"},
      {"a wrong token", {"--token", "not-the-ingest-token-at-all"}, "HTTP 401"},
      {"a read token, which may not write", {"--token", kReadToken}, "HTTP 403"},
  };
  for (std::size_t i = 0; i < refused.size(); ++i) {
    const auto& c = refused[i];
    const auto r = runProcess(send(http(server), spool, c.token_args), {"VIGIA_TOKEN="});
    EXPECT_EQ(r.exit_code, 5) << c.what << "\n" << r.err;
    EXPECT_NE(r.err.find(c.status), std::string::npos) << c.what << "\n" << r.err;
    EXPECT_NE(r.err.find("token"), std::string::npos) << r.err;
    // Kept, not rejected: the report is fine, the credential is not.
    EXPECT_EQ(spooledIds(spool).size(), i + 1) << c.what;
    EXPECT_FALSE(fs::exists(spool / "rejected") && !fs::is_empty(spool / "rejected"));
    EXPECT_EQ(r.err.find(kReadToken), std::string::npos);
  }
  EXPECT_TRUE(storedIds(data).empty());

  // Fixed: the right token, from a file with a trailing newline as editors leave it.
  const auto token_file = dir.path() / "agent.token";
  std::ofstream(token_file) << kIngestToken << "\n";
  const auto waiting = spooledIds(spool);
  const auto r = runProcess(send(http(server), spool, {"--token-file", token_file.string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(spooledIds(spool).empty());
  const auto stored = storedIds(data);
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(stored.begin(), stored.begin() + 3), waiting);
  expectConsistent(data);
  // Neither side wrote a token anywhere an operator's logs would keep it.
  for (const auto& text : {r.err, server.logs()}) {
    EXPECT_EQ(text.find(kIngestToken), std::string::npos);
    EXPECT_EQ(text.find(kReadToken), std::string::npos);
  }
}

TEST(AgentAuth, TheTokenComesFromTheEnvironmentOrTheConfigFile) {
  TempDir dir;
  const auto data = dir.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", data.string(), "--ingest-token", kIngestToken});
  const auto env =
      runProcess(send(http(server), dir.path() / "a", {}), {"VIGIA_TOKEN=" + kIngestToken});
  EXPECT_EQ(env.exit_code, 0) << env.err;

  const auto config = dir.path() / "agent.toml";
  std::ofstream(config) << "server = \"" << http(server) << "\"\ntoken = \"" << kIngestToken
                        << "\"\nspool_dir = \"" << (dir.path() / "b").string() << "\"\n";
  const auto file = runProcess({VIGIA_AGENT_BIN, "send", "--config", config.string()},
                               {"VIGIA_TOKEN=", "VIGIA_SERVER="});
  EXPECT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(storedIds(data).size(), 2u);
}

// The agents of these tests post from a network namespace of their own: loopback clients are
// never rate-limited (docs/api.md).
struct RemoteAgent {
  vigia::test::NetworkNamespace ns;
  TempDir dir;
  fs::path config = dir.path() / "remote.toml";
  RemoteAgent() { std::ofstream(config) << "allow_insecure_http = true\n"; }
  std::string url(const ServerProcess& s) const {
    return "http://" + ns.hostAddress() + ":" + std::to_string(s.port());
  }
  std::vector<std::string> listen() const {
    return {"--listen", ns.hostAddress() + ":0", "--insecure-no-auth"};
  }
};

TEST(AgentRateLimit, Answer429IsWaitedOutAsRetryAfterSays) {
  RemoteAgent remote;
  if (!remote.ns.ready()) GTEST_SKIP() << remote.ns.whyNot();
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = dir.path() / "data";
  // One request at once, then one every two seconds: the second report meets a 429 with
  // Retry-After: 2.
  auto args = remote.listen();
  args.insert(args.end(),
              {"--data-dir", data.string(), "--rate-limit-rps", "0.5", "--rate-limit-burst", "1"});
  ServerProcess server(VIGIA_SERVER_BIN, args);
  spoolReport(spool, 1, vigia::test::testReport());
  const auto started = std::chrono::steady_clock::now();
  const auto r =
      remote.ns.run(send(remote.url(server), spool, {"--config", remote.config.string()}, 10));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("HTTP 429"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("retrying in 2.0 s"), std::string::npos) << r.err;
  // It waited as told (backoff alone starts at 0.5 s with jitter, and would have met more 429s).
  EXPECT_GE(took, 1500ms);
  EXPECT_EQ(storedIds(data).size(), 2u);
  EXPECT_TRUE(spooledIds(spool).empty());
}

TEST(AgentRateLimit, RetryAfterBeyondTheTimeoutEndsTheRunWithExit3AndKeepsTheReport) {
  RemoteAgent remote;
  if (!remote.ns.ready()) GTEST_SKIP() << remote.ns.whyNot();
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = dir.path() / "data";
  // Retry-After: 50 s, far beyond the agent's 2 s: it must not sleep 50 s, nor drop the report.
  auto args = remote.listen();
  args.insert(args.end(),
              {"--data-dir", data.string(), "--rate-limit-rps", "0.02", "--rate-limit-burst", "1"});
  ServerProcess server(VIGIA_SERVER_BIN, args);
  const std::string waiting = spoolReport(spool, 1, vigia::test::testReport());
  const auto started = std::chrono::steady_clock::now();
  const auto r =
      remote.ns.run(send(remote.url(server), spool, {"--config", remote.config.string()}, 2));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 429"), std::string::npos) << r.err;
  EXPECT_LT(took, 20s);
  // The spooled report went first; this run's own report waits for the next run.
  EXPECT_EQ(storedIds(data), std::vector<std::string>{waiting});
  EXPECT_EQ(spooledIds(spool).size(), 1u);
}

TEST(AgentServerUnavailable, Answer503IsWaitedOutAndTheReportGoesOnceTheDiskHasRoom) {
  vigia::test::SmallDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << disk.whyNot();
  TempDir dir;
  const auto spool = dir.path() / "spool";
  const auto data = disk.path() / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  disk.fill();
  // The server answers 503 with Retry-After: 5; the agent must wait, not give up or hammer.
  vigia::test::BackgroundProcess agent(send(http(server), spool, {}, 15));
  ASSERT_TRUE(agent.waitForOutput("retrying in 5.0 s", 20s)) << agent.output();
  EXPECT_NE(agent.output().find("HTTP 503"), std::string::npos) << agent.output();
  disk.makeRoom();
  const auto code = agent.waitExit(30s);
  ASSERT_TRUE(code.has_value()) << agent.output();
  EXPECT_EQ(*code, 0) << agent.output();
  EXPECT_EQ(storedIds(data).size(), 1u);
  EXPECT_TRUE(spooledIds(spool).empty());
  expectConsistent(data);
}

class AgentTls : public ::testing::Test {
 protected:
  TempDir dir;
  TestPki pki{dir.path() / "pki"};
  fs::path data = dir.path() / "data";
  fs::path spool = dir.path() / "spool";

  std::vector<std::string> tlsServerArgs(std::vector<std::string> extra = {},
                                         const fs::path& data_dir = {}) {
    std::vector<std::string> a = {"--data-dir", (data_dir.empty() ? data : data_dir).string(),
                                  "--tls-cert", pki.server_cert.string(),
                                  "--tls-key",  pki.server_key.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST_F(AgentTls, DeliversOverHttpsCheckedAgainstTheCaFile) {
  ServerProcess server(VIGIA_SERVER_BIN, tlsServerArgs());
  spoolReport(spool, 1, vigia::test::testReport());
  const auto r = runProcess(send(https(server), spool, {"--ca-file", pki.ca_cert.string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(storedIds(data).size(), 2u);
  EXPECT_TRUE(spooledIds(spool).empty());
  // "localhost" is in the certificate too.
  const auto named =
      runProcess(send(https(server, "localhost"), spool, {"--ca-file", pki.ca_cert.string()}));
  EXPECT_EQ(named.exit_code, 0) << named.err;
  expectConsistent(data);
}

TEST_F(AgentTls, FailsClosedOnAnUntrustedOrMisnamedServerAndOnPlainHttp) {
  // Listening on 127.0.0.2, an address the certificate does not name.
  ServerProcess server(VIGIA_SERVER_BIN, tlsServerArgs({"--listen", "127.0.0.2:0"}));
  const std::string misnamed = "https://127.0.0.2:" + std::to_string(server.port());
  ServerProcess named(VIGIA_SERVER_BIN, tlsServerArgs({}, dir.path() / "d2"));
  struct Case {
    std::string what;
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"the wrong CA", send(https(named), spool, {"--ca-file", pki.wrong_ca_cert.string()}),
       "certificate"},
      {"the system trust store, which does not know the test CA", send(https(named), spool, {}),
       "certificate"},
      {"a name the certificate does not hold",
       send(misnamed, spool, {"--ca-file", pki.ca_cert.string()}), "127.0.0.2"},
      {"plain HTTP to the HTTPS port",
       send("http://127.0.0.1:" + std::to_string(named.port()), spool, {}), "no answer"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto r = runProcess(cases[i].args);
    EXPECT_EQ(r.exit_code, 3) << cases[i].what << "\n" << r.err;
    EXPECT_NE(r.err.find(cases[i].says), std::string::npos) << cases[i].what << "\n" << r.err;
    EXPECT_EQ(spooledIds(spool).size(), i + 1) << cases[i].what;
  }
  EXPECT_TRUE(storedIds(data).empty());
  EXPECT_TRUE(storedIds(dir.path() / "d2").empty());
}

TEST_F(AgentTls, MutualTlsDeliversWithTheClientCertificateAndRefusesOthers) {
  ServerProcess server(VIGIA_SERVER_BIN, tlsServerArgs({"--tls-client-ca", pki.ca_cert.string(),
                                                        "--ingest-token", kIngestToken}));
  const std::vector<std::string> base = {"--ca-file", pki.ca_cert.string(), "--token",
                                         kIngestToken};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return send(https(server), spool, more);
  };
  const auto none = runProcess(with({}));
  EXPECT_EQ(none.exit_code, 3) << none.err;
  const auto stranger = runProcess(with({"--client-cert", pki.wrong_client_cert.string(),
                                         "--client-key", pki.wrong_client_key.string()}));
  EXPECT_EQ(stranger.exit_code, 3) << stranger.err;
  EXPECT_TRUE(storedIds(data).empty());
  EXPECT_EQ(spooledIds(spool).size(), 2u);

  // The same settings from the agent's configuration file.
  const auto config = dir.path() / "agent.toml";
  std::ofstream(config) << "server = \"" << https(server) << "\"\n"
                        << "token = \"" << kIngestToken << "\"\n"
                        << "ca_file = \"" << pki.ca_cert.string() << "\"\n"
                        << "client_cert = \"" << pki.client_cert.string() << "\"\n"
                        << "client_key = \"" << pki.client_key.string() << "\"\n"
                        << "spool_dir = \"" << spool.string() << "\"\n";
  const auto ok = runProcess({VIGIA_AGENT_BIN, "send", "--config", config.string()},
                             {"VIGIA_TOKEN=", "VIGIA_SERVER="});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(storedIds(data).size(), 3u);
  EXPECT_TRUE(spooledIds(spool).empty());
  expectConsistent(data);
}

TEST(AgentInsecureHttp, PlainHttpToAnotherHostOnlyWhenTheConfigurationAllowsIt) {
  TempDir dir;
  const auto config = dir.path() / "agent.toml";
  // 192.0.2.0/24 is reserved for documentation: nothing answers there.
  std::ofstream(config) << "server = \"http://192.0.2.1:9\"\ntimeout = 1\n"
                        << "spool_dir = \"" << (dir.path() / "spool").string() << "\"\n";
  const auto refused =
      runProcess({VIGIA_AGENT_BIN, "send", "--config", config.string()}, {"VIGIA_SERVER="});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("allow_insecure_http"), std::string::npos) << refused.err;
  EXPECT_TRUE(spooledIds(dir.path() / "spool").empty());

  std::ofstream(config, std::ios::app) << "allow_insecure_http = true\n";
  const auto allowed =
      runProcess({VIGIA_AGENT_BIN, "send", "--config", config.string()}, {"VIGIA_SERVER="});
  EXPECT_EQ(allowed.exit_code, 3) << allowed.err;  // tried, and spooled for later
  EXPECT_EQ(spooledIds(dir.path() / "spool").size(), 1u);
}

}  // namespace
