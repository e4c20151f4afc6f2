// Connection-level limits with real sockets: slow clients do not delay others and are cut at
// their deadline; the connection cap holds; SIGTERM lets in-flight requests finish.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/identifiers.hpp"
#include "http_client.hpp"
#include "raw_socket.hpp"
#include "server_process.hpp"
#include "subprocess.hpp"

namespace {

using vigia::test::closedByServer;
using vigia::test::connectTo;

using vigia::test::httpRequest;
using vigia::test::ServerProcess;
using vigia::test::TempDir;
using Clock = std::chrono::steady_clock;

std::filesystem::path writeConfig(const std::filesystem::path& dir, const std::string& text) {
  const auto path = dir / "server.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(ServerConnections, TricklingClientsDoNotDelayOthersAndAreCutAtTheDeadline) {
  TempDir dir;
  const auto config = writeConfig(dir.path(), "[http]\nheader_timeout_seconds = 3\n");
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--config", config.string(), "--data-dir", (dir.path() / "data").string()});
  constexpr int kSlow = 300;
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = connectTo(server.port());
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, "POST /api/v1/rep", 16, MSG_NOSIGNAL),
              16);  // and then nothing more, for now
    slow.push_back(fd);
  }
  // Normal requests go through while 300 connections sit half-way through a header.
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    auto r = vigia::test::httpGet(server.port(), "/healthz");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2))
        << "a slow client delayed request " << i;
  }
  // Trickle one more byte into each: still no complete header, so the deadline cuts them.
  for (int fd : slow) ::send(fd, "o", 1, MSG_NOSIGNAL);
  int closed = 0;
  for (int fd : slow) {
    if (closedByServer(fd, std::chrono::seconds(10))) ++closed;
    ::close(fd);
  }
  EXPECT_EQ(closed, kSlow);
  // The client sees the close before the server's handler counts the timeout: poll briefly.
  std::string metrics;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  do {
    metrics = vigia::test::httpGet(server.port(), "/metrics").body;
  } while (metrics.find("vigia_http_timeouts_total 300\n") == std::string::npos &&
           Clock::now() < deadline);
  EXPECT_NE(metrics.find("vigia_http_timeouts_total 300\n"), std::string::npos) << metrics;
}

TEST(ServerConnections, ConnectionCapClosesTheExtraOnes) {
  TempDir dir;
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", (dir.path() / "data").string(), "--max-connections", "20"});
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(connectTo(server.port()));
    ASSERT_GE(held.back(), 0);
  }
  // Make sure the 20 are accepted before the 21st arrives: a request on the first round-trips.
  ASSERT_EQ(::send(held[0], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 34, MSG_NOSIGNAL), 34);
  char buf[256];
  ASSERT_GT(::recv(held[0], buf, sizeof buf, 0), 0);
  const int extra = connectTo(server.port());
  ASSERT_GE(extra, 0);
  EXPECT_TRUE(closedByServer(extra, std::chrono::seconds(5)));
  ::close(extra);
  for (int fd : held) ::close(fd);
  // Once the held ones are gone, new connections are served again.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (Clock::now() < deadline && status != 200) {
    status = vigia::test::httpGet(server.port(), "/healthz").status;
  }
  EXPECT_EQ(status, 200);
  auto metrics = vigia::test::httpGet(server.port(), "/metrics");
  EXPECT_EQ(metrics.body.find("vigia_http_connections_refused_total 0\n"), std::string::npos);
}

TEST(ServerConnections, SigtermFinishesTheRequestInFlightThenExitsZero) {
  TempDir dir;
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", (dir.path() / "data").string()});
  nlohmann::json report = {{"schema_version", 1},
                           {"report_id", vigia::common::newUuidV4()},
                           {"collected_at", "2026-11-22T10:00:00Z"},
                           {"host", {{"hostname", "h"}, {"ip", "10.0.0.8"}}},
                           {"os", {{"name", "n"}, {"version", "v"}}},
                           {"cpu", {{"model", "m"}}},
                           {"processes", nlohmann::json::array()},
                           {"sessions", nlohmann::json::array()}};
  const std::string body = report.dump();
  const std::string head =
      "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  const int fd = connectTo(server.port());
  ASSERT_GE(fd, 0);
  const int idle = connectTo(server.port());  // a keep-alive connection with nothing to say
  ASSERT_GE(idle, 0);
  // Send the header and half the body, then SIGTERM, then the rest: the request is in flight.
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  ASSERT_EQ(::send(fd, body.data(), body.size() / 2, MSG_NOSIGNAL),
            static_cast<ssize_t>(body.size() / 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server read what was sent
  ::kill(server.pid(), SIGTERM);
  EXPECT_TRUE(closedByServer(idle, std::chrono::seconds(5))) << "idle connection left open";
  const std::string rest = body.substr(body.size() / 2);
  ASSERT_EQ(::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL), static_cast<ssize_t>(rest.size()));
  std::string answer;
  char buf[1024];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  ::close(idle);
  EXPECT_EQ(answer.rfind("HTTP/1.1 201", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(server.stop(0), 0) << server.logs();  // 0: no second signal, just wait for the exit
}

}  // namespace

namespace {

TEST(ServerStartup, RefusesAPublicAddressWithoutTokensAndBadConfiguration) {
  TempDir dir;
  auto pub = vigia::test::runProcess(
      {VIGIA_SERVER_BIN, "--listen", "0.0.0.0:0", "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(pub.exit_code, 2);
  EXPECT_NE(pub.err.find("refusing to listen on 0.0.0.0:0"), std::string::npos) << pub.err;

  const auto config = writeConfig(dir.path(), "max_body_byte = 5\n");
  auto typo = vigia::test::runProcess({VIGIA_SERVER_BIN, "--config", config.string()});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown key \"max_body_byte\""), std::string::npos) << typo.err;

  auto help = vigia::test::runProcess({VIGIA_SERVER_BIN, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option :
       {"--listen", "--data-dir", "--database", "--max-body-bytes", "--no-fsync", "formula_guard",
        "header_timeout_seconds", "max_queued_reports"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

TEST(ServerStartup, ListensPubliclyWhenToldSoExplicitly) {
  TempDir dir;
  // All addresses, reached here through loopback only.
  ServerProcess server(VIGIA_SERVER_BIN, {"--listen", "0.0.0.0:0", "--insecure-no-auth",
                                          "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(vigia::test::httpGet(server.port(), "/healthz").status, 200);
  EXPECT_NE(server.logs().find("listening on http://0.0.0.0:"), std::string::npos) << server.logs();
  EXPECT_NE(server.logs().find("--insecure-no-auth: anyone who can reach"), std::string::npos);
}

}  // namespace
