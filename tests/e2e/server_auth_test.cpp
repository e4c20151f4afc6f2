// Bearer tokens (docs/api.md) and the per-address rate limit, against the real server over
// 127.0.0.1: every endpoint by every kind of credential, token files and digests, the
// loopback rule, logs free of tokens, and 429 once a burst is spent.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "http_client.hpp"
#include "network_namespace.hpp"
#include "raw_socket.hpp"
#include "server_process.hpp"
#include "store_check.hpp"
#include "subprocess.hpp"
#include "test_report.hpp"

namespace {

using vigia::test::connectTo;

using nlohmann::json;
using vigia::test::HttpCall;
using vigia::test::HttpReply;
using vigia::test::httpRequest;
using vigia::test::ServerProcess;
using vigia::test::TempDir;

constexpr const char* kIngestToken = "ingest-7f3a9c1e5b2d4f60";
constexpr const char* kReadToken = "read-2d8e4b6a0c1f3e57";
constexpr const char* kWrongToken = "wrong-9a8b7c6d5e4f3a2b";

HttpCall request(const std::string& method, const std::string& target,
                 const std::string& authorization, std::string body = "") {
  HttpCall c;
  c.method = method;
  c.target = target;
  c.body = std::move(body);
  if (method == "POST") c.headers.emplace_back("Content-Type", "application/json");
  if (!authorization.empty()) c.headers.emplace_back("Authorization", authorization);
  return c;
}

std::string bearer(const std::string& token) { return "Bearer " + token; }

// The value of one sample line of /metrics ("name{labels} value"), or -1 when absent.
long long metric(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + series.size() + 2));
}

std::filesystem::path writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// What an operator is told to run (docs/operations.md), so the test checks the docs too.
std::string sha256sumOf(const std::string& token) {
  auto r =
      vigia::test::runProcess({"/bin/sh", "-c", "printf %s \"$T\" | sha256sum"}, {"T=" + token});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, 64);
}

void expectUnauthorized(const HttpReply& r, const std::string& what) {
  EXPECT_EQ(r.status, 401) << what << ": " << r.body << r.error;
  EXPECT_EQ(r.headers.count("www-authenticate"), 1u) << what;
  EXPECT_EQ(r.headers.count("www-authenticate")
                ? r.headers.at("www-authenticate").rfind("Bearer realm=\"vigia\"", 0)
                : 1u,
            0u)
      << what;
  auto body = json::parse(r.body, nullptr, false);
  EXPECT_TRUE(body.is_object() && body["error"] == "unauthorized" && body["detail"].is_string())
      << what << ": " << r.body;
}

void expectForbidden(const HttpReply& r, const std::string& what) {
  EXPECT_EQ(r.status, 403) << what << ": " << r.body << r.error;
  auto body = json::parse(r.body, nullptr, false);
  EXPECT_TRUE(body.is_object() && body["error"] == "forbidden" && body["detail"].is_string())
      << what << ": " << r.body;
}

class ServerAuth : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";
  ServerProcess server{
      VIGIA_SERVER_BIN,
      {"--data-dir", data.string(), "--ingest-token", kIngestToken, "--read-token", kReadToken}};
};

TEST_F(ServerAuth, EveryEndpointByEveryKindOfCredential) {
  enum Expect { kUnauthorized, kForbidden, kOk };
  struct Credential {
    const char* name;
    std::string authorization;
  };
  const Credential credentials[] = {
      {"no token", ""},
      {"unknown token", bearer(kWrongToken)},
      {"malformed header", std::string("Basic ") + kReadToken},
      {"empty bearer", "Bearer"},
      {"ingest token", bearer(kIngestToken)},
      {"read token", bearer(kReadToken)},
  };
  const std::string stored_id = vigia::common::newUuidV4();
  struct Endpoint {
    const char* name;
    std::string method, target;
    Expect ingest, read;  // what each kind of token gets; every other credential: 401
    int ok_status;
  };
  const Endpoint endpoints[] = {
      {"POST report", "POST", "/api/v1/reports", kOk, kForbidden, 201},
      {"GET servers", "GET", "/api/v1/servers", kForbidden, kOk, 200},
      {"GET server reports", "GET", "/api/v1/servers/10.0.0.5/reports", kForbidden, kOk, 200},
      {"GET report", "GET", "/api/v1/reports/" + stored_id, kForbidden, kOk, 200},
      {"GET metrics", "GET", "/metrics", kForbidden, kOk, 200},
  };
  int unauthorized = 0, forbidden = 0, rejected_reports = 0;
  for (const auto& e : endpoints) {
    for (const auto& c : credentials) {
      const std::string what = std::string(e.name) + " with " + c.name;
      vigia::test::TestReportSpec spec;
      if (c.authorization == bearer(kIngestToken)) spec.report_id = stored_id;
      const std::string body = e.method == "POST" ? vigia::test::testReport(spec).dump() : "";
      const auto reply =
          httpRequest(server.port(), request(e.method, e.target, c.authorization, body));
      const Expect expected = c.authorization == bearer(kIngestToken) ? e.ingest
                              : c.authorization == bearer(kReadToken) ? e.read
                                                                      : kUnauthorized;
      if (expected == kUnauthorized) {
        expectUnauthorized(reply, what);
        ++unauthorized;
      } else if (expected == kForbidden) {
        expectForbidden(reply, what);
        ++forbidden;
      } else {
        EXPECT_EQ(reply.status, e.ok_status) << what << ": " << reply.body << reply.error;
      }
      if (e.method == "POST" && expected != kOk) ++rejected_reports;
    }
  }
  // /healthz needs nothing, and a bad token does not spoil it.
  for (const auto& c : credentials) {
    const auto health = httpRequest(server.port(), request("GET", "/healthz", c.authorization));
    EXPECT_EQ(health.status, 200) << c.name;
    EXPECT_EQ(health.body, "ok");
  }

  // Only the one report posted with the ingest token was stored, in every store.
  const auto stores = vigia::test::readStores(data);
  EXPECT_EQ(stores.db.size(), 1u);
  EXPECT_EQ(stores.db.count(stored_id), 1u);
  EXPECT_TRUE(vigia::test::consistencyProblems(stores).empty());

  const auto metrics = httpRequest(server.port(), request("GET", "/metrics", bearer(kReadToken)));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metric(metrics.body, "vigia_http_requests_denied_total{reason=\"unauthorized\"}"),
            unauthorized)
      << metrics.body;
  EXPECT_EQ(metric(metrics.body, "vigia_http_requests_denied_total{reason=\"forbidden\"}"),
            forbidden);
  EXPECT_EQ(metric(metrics.body, "vigia_reports_rejected_total{reason=\"unauthorized\"}"),
            rejected_reports);
  EXPECT_EQ(metric(metrics.body, "vigia_reports_stored_total"), 1);

  // Tokens, right or wrong, never reach the log.
  ASSERT_EQ(server.stop(SIGTERM), 0);
  const std::string logs = server.logs();
  EXPECT_NE(logs.find("authentication on: 1 ingest and 1 read token(s)"), std::string::npos)
      << logs;
  for (const char* token : {kIngestToken, kReadToken, kWrongToken}) {
    EXPECT_EQ(logs.find(token), std::string::npos) << token << " in:\n" << logs;
  }
}

TEST_F(ServerAuth, UnknownPathsAndWrongMethodsAnswerOnlyAfterTheToken) {
  expectUnauthorized(httpRequest(server.port(), request("GET", "/nope", "")), "GET /nope");
  expectForbidden(httpRequest(server.port(), request("GET", "/nope", bearer(kIngestToken))),
                  "GET /nope, ingest");
  EXPECT_EQ(httpRequest(server.port(), request("GET", "/nope", bearer(kReadToken))).status, 404);
  EXPECT_EQ(httpRequest(server.port(), request("POST", "/nope", bearer(kIngestToken))).status, 404);
  expectForbidden(httpRequest(server.port(), request("POST", "/nope", bearer(kReadToken))),
                  "POST /nope, read");
  EXPECT_EQ(
      httpRequest(server.port(), request("GET", "/api/v1/reports", bearer(kReadToken))).status,
      405);
  EXPECT_EQ(
      httpRequest(server.port(), request("DELETE", "/api/v1/servers", bearer(kReadToken))).status,
      405);
}

TEST_F(ServerAuth, ARefusedBodyIsNotReadAndTheAnswerStillArrives) {
  // 8 MiB the server refuses on the header alone; the lingering close lets the 401 through.
  const auto reply =
      httpRequest(server.port(), request("POST", "/api/v1/reports", "", std::string(8 << 20, ' ')));
  expectUnauthorized(reply, "large POST without a token");
  EXPECT_EQ(reply.headers.count("connection") ? reply.headers.at("connection") : "", "close");
}

TEST_F(ServerAuth, ARefusalWithoutABodyKeepsTheConnection) {
  const int fd = connectTo(server.port());
  ASSERT_GE(fd, 0);
  const std::string two =
      "GET /api/v1/servers HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/servers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      std::string(kReadToken) + "\r\n\r\n";
  ASSERT_EQ(::send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  std::string answers;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (answers.find("HTTP/1.1 200") == std::string::npos && ::poll(&p, 1, 5000) > 0) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answers.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(answers.rfind("HTTP/1.1 401", 0), 0u) << answers;
  EXPECT_NE(answers.find("HTTP/1.1 200"), std::string::npos) << answers;
}

TEST(ServerAuthConfig, DigestsInTheConfigFileAndTokenFilesWork) {
  TempDir dir;
  const std::string ingest = "ingest-from-digest-5c4b3a29";
  const std::string read = "read-from-file-6e5d4c3b";
  const auto config =
      writeFile(dir.path() / "server.toml",
                "[auth]\ningest_tokens = [\"sha256:" + sha256sumOf(ingest) +
                    "\"]\nread_tokens = [\"sha256:" + std::string(64, '0') + "\"]\n");
  // Trailing white space and CRLF, as an editor on another system may leave them.
  const auto read_file = writeFile(dir.path() / "read.tokens", read + " \t\r\n\n");
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--config", config.string(), "--read-token-file", read_file.string(),
                        "--data-dir", (dir.path() / "data").string()});
  const std::string body = vigia::test::testReport().dump();
  EXPECT_EQ(
      httpRequest(server.port(), request("POST", "/api/v1/reports", bearer(ingest), body)).status,
      201);
  EXPECT_EQ(httpRequest(server.port(), request("GET", "/api/v1/servers", bearer(read))).status,
            200);
  // The file's list replaced the config's read digest; and a digest is not itself a token.
  expectUnauthorized(httpRequest(server.port(), request("GET", "/api/v1/servers",
                                                        bearer("sha256:" + sha256sumOf(read)))),
                     "the digest presented as a token");
  ASSERT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(server.logs().find(read), std::string::npos);
  EXPECT_EQ(server.logs().find(ingest), std::string::npos);
}

TEST(ServerAuthConfig, PublicAddressNeedsTokensAndThenServes) {
  TempDir dir;
  const auto data = (dir.path() / "data").string();
  auto refused =
      vigia::test::runProcess({VIGIA_SERVER_BIN, "--listen", "0.0.0.0:0", "--data-dir", data});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("refusing to listen on 0.0.0.0:0 without authentication tokens"),
            std::string::npos)
      << refused.err;

  const auto tokens = writeFile(dir.path() / "ingest.tokens", std::string(kIngestToken) + "\n");
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--listen", "0.0.0.0:0", "--ingest-token-file", tokens.string(),
                        "--read-token", kReadToken, "--data-dir", data});
  EXPECT_EQ(vigia::test::httpGet(server.port(), "/healthz").status, 200);
  expectUnauthorized(httpRequest(server.port(), request("GET", "/api/v1/servers", "")),
                     "public address, no token");
  EXPECT_EQ(
      httpRequest(server.port(), request("GET", "/api/v1/servers", bearer(kReadToken))).status,
      200);
  const std::string logs = server.logs();
  EXPECT_NE(logs.find("listening on http://0.0.0.0:"), std::string::npos) << logs;
  EXPECT_NE(logs.find("cross the network in clear text"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("--insecure-no-auth"), std::string::npos) << logs;
}

TEST(ServerAuthConfig, BadTokenSettingsExitTwoWithoutQuotingTheToken) {
  TempDir dir;
  const auto data = (dir.path() / "data").string();
  const auto bad_digest =
      writeFile(dir.path() / "bad.toml", "[auth]\nread_tokens = [\"sha256:secretsecret\"]\n");
  const auto empty_file = writeFile(dir.path() / "empty.tokens", "\n\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--ingest-token", "secret with space"},
       "--ingest-token: [0]: a token must be visible ASCII"},
      {{"--config", bad_digest.string()}, "auth.read_tokens: [0]: \"sha256:\" must be followed"},
      {{"--read-token-file", empty_file.string()}, "holds no token"},
      {{"--read-token-file", (dir.path() / "absent").string()}, "cannot read token file"},
  };
  for (const auto& [args, expected] : cases) {
    std::vector<std::string> argv = {VIGIA_SERVER_BIN, "--data-dir", data};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = vigia::test::runProcess(argv);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("secret"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(data)) << "refused before touching the data dir";
}

TEST(ServerAuthConfig, HelpDocumentsEveryAuthTlsAndLimitOption) {
  const auto help = vigia::test::runProcess({VIGIA_SERVER_BIN, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option :
       {"--ingest-token TOKEN", "--ingest-token-file FILE", "--read-token TOKEN",
        "--read-token-file FILE", "--tls-cert FILE", "--tls-key FILE", "--tls-client-ca FILE",
        "--rate-limit-rps", "--rate-limit-burst", "--insecure-no-auth",
        "config: auth.ingest_tokens", "auth.read_tokens", "sha256:<64 hex>", "config: tls.cert",
        "tls.client_ca", "config: limits.requests_per_second",
        "config: limits.burst; default: 200"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option << " missing from:\n" << help.out;
  }
}

// A client of its own address, in a network namespace (loopback is never limited): three
// requests, then one every 100 s, so the fourth is refused for certain.
TEST(ServerRateLimit, SpentBurstGets429WithRetryAfterPerAddress) {
  vigia::test::NetworkNamespace elsewhere;
  if (!elsewhere.ready()) GTEST_SKIP() << elsewhere.whyNot();
  TempDir dir;
  ServerProcess server(VIGIA_SERVER_BIN, {"--listen", elsewhere.hostAddress() + ":0", "--data-dir",
                                          (dir.path() / "data").string(), "--ingest-token",
                                          kIngestToken, "--read-token", kReadToken,
                                          "--rate-limit-rps", "0.01", "--rate-limit-burst", "3"});
  const std::string base =
      "http://" + elsewhere.hostAddress() + ":" + std::to_string(server.port());
  // curl in the namespace: its status line, headers and body.
  auto fromThere = [&](const std::string& path, const std::string& token,
                       const std::string& body = "", const std::string& source = std::string()) {
    std::vector<std::string> argv = {"/usr/bin/curl",
                                     "-s",
                                     "-i",
                                     "--interface",
                                     source.empty() ? elsewhere.peerAddress() : source,
                                     "-H",
                                     "Authorization: Bearer " + token};
    if (!body.empty()) {
      argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
    }
    argv.push_back(base + path);
    return elsewhere.run(argv).out;
  };
  auto status = [](const std::string& reply) {
    return reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : 0;
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(status(fromThere("/api/v1/servers", kReadToken)), 200);

  const std::string limited = fromThere("/api/v1/servers", kReadToken);
  ASSERT_EQ(status(limited), 429) << limited;
  const auto json_at = limited.find("\r\n\r\n");
  ASSERT_NE(json_at, std::string::npos);
  auto body = json::parse(limited.substr(json_at + 4), nullptr, false);
  EXPECT_TRUE(body.is_object() && body["error"] == "rate_limited") << limited;
  std::smatch retry;
  ASSERT_TRUE(std::regex_search(limited, retry, std::regex("[Rr]etry-[Aa]fter: ([0-9]+)")))
      << limited;
  EXPECT_GE(std::stoi(retry[1]), 90);
  EXPECT_LE(std::stoi(retry[1]), 100);

  // The limit comes before the token, so guessing tokens is limited too; /healthz is exempt.
  EXPECT_EQ(status(fromThere("/api/v1/reports", kIngestToken, vigia::test::testReport().dump())),
            429);
  EXPECT_EQ(status(fromThere("/api/v1/servers", kWrongToken)), 429);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(status(fromThere("/healthz", kReadToken)), 200);

  // Loopback is never limited: a local relay or proxy speaks for many.
  ServerProcess local(VIGIA_SERVER_BIN, {"--data-dir", (dir.path() / "local").string(),
                                         "--ingest-token", kIngestToken, "--read-token", kReadToken,
                                         "--rate-limit-rps", "0.01", "--rate-limit-burst", "3"});
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(
        httpRequest(local.port(), request("GET", "/api/v1/servers", bearer(kReadToken))).status,
        200)
        << i;
  }

  // Another address has its own bucket.
  const auto metrics = fromThere("/metrics", kReadToken, "", elsewhere.secondPeerAddress());
  ASSERT_EQ(status(metrics), 200) << metrics;
  EXPECT_EQ(metric(metrics, "vigia_http_requests_denied_total{reason=\"rate_limited\"}"), 3)
      << metrics;
  EXPECT_EQ(metric(metrics, "vigia_reports_rejected_total{reason=\"rate_limited\"}"), 1);
  EXPECT_EQ(metric(metrics, "vigia_http_requests_denied_total{reason=\"unauthorized\"}"), 0);
  EXPECT_TRUE(vigia::test::readStores(dir.path() / "data").db.empty());
}

}  // namespace
