// Every bad input of docs/report-schema.md and docs/api.md gets its status code and a JSON error,
// and stores nothing.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/identifiers.hpp"
#include "http_client.hpp"
#include "server/api/gzip.hpp"
#include "server_process.hpp"
#include "test_report.hpp"

namespace {

using nlohmann::json;
using vigia::test::HttpCall;
using vigia::test::httpRequest;
using vigia::test::ServerProcess;
using vigia::test::TempDir;

json goodReport() { return vigia::test::testReport(); }

std::string with(const std::function<void(json&)>& mutate) {
  json j = goodReport();
  mutate(j);
  return j.dump();
}

struct BadRequest {
  const char* name;
  HttpCall call;
  int status;
  const char* error;
  const char* detail_contains;
};

HttpCall post(std::string body, std::string type = "application/json", std::string encoding = "") {
  HttpCall c;
  c.method = "POST";
  c.target = "/api/v1/reports";
  c.body = std::move(body);
  if (!type.empty()) c.headers.emplace_back("Content-Type", type);
  if (!encoding.empty()) c.headers.emplace_back("Content-Encoding", encoding);
  return c;
}

class ServerBadInput : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";
  ServerProcess server{VIGIA_SERVER_BIN,
                       {"--data-dir", data.string(), "--max-body-bytes", "1048576"}};

  void expectNothingStored() {
    for (const char* sub : {"csv", "json"}) {
      if (std::filesystem::exists(data / sub)) {
        EXPECT_TRUE(std::filesystem::is_empty(data / sub)) << sub;
      }
    }
    sqlite3* conn = nullptr;
    ASSERT_EQ(sqlite3_open_v2((data / "vigia.db").c_str(), &conn, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(conn, "SELECT count(*) FROM reports", -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(stmt, 0), 0);
    sqlite3_finalize(stmt);
    sqlite3_close(conn);
  }
};

TEST_F(ServerBadInput, EachGetsItsStatusAndNothingIsStored) {
  std::string bomb =
      vigia::server::gzipCompress(std::string(64 * 1024 * 1024, ' '));  // 64 MiB of spaces
  const std::string valid = goodReport().dump();
  const BadRequest cases[] = {
      {"malformed JSON", post("{\"schema_version\": 1,"), 400, "invalid_report", "parse error"},
      {"truncated JSON", post(valid.substr(0, valid.size() / 2)), 400, "invalid_report",
       "parse error"},
      {"number overflow", post("{\"schema_version\": 1e999}"), 400, "invalid_report",
       "number overflow"},
      {"not JSON at all", post("hello"), 400, "invalid_report", "parse error"},
      {"empty body", post(""), 400, "invalid_report", "parse error"},
      {"wrong type", post(with([](json& j) { j["processes"][0]["pid"] = "1"; })), 400,
       "invalid_report", "processes[0].pid: expected a positive integer"},
      {"missing field", post(with([](json& j) { j["os"].erase("version"); })), 400,
       "invalid_report", "os.version: required"},
      {"path traversal ip", post(with([](json& j) { j["host"]["ip"] = "../../etc/passwd"; })), 400,
       "invalid_report", "host.ip: expected an IPv4 or IPv6 address literal"},
      {"invalid UTF-8", post("{\"schema_version\": 1, \"x\": \"caf\xC3\"}"), 400, "invalid_report",
       "UTF-8"},
      {"oversized string", post(with([](json& j) { j["cpu"]["model"] = std::string(4097, 'x'); })),
       400, "invalid_report", "cpu.model: string longer than 4096 bytes"},
      {"oversized body", post(std::string(1048577, ' ')), 413, "body_too_large", "1048576"},
      {"gzip bomb", post(bomb, "application/json", "gzip"), 413, "body_too_large", "decompressed"},
      {"corrupt gzip", post("not gzip at all", "application/json", "gzip"), 400, "invalid_body",
       "gzip"},
      {"wrong content type", post(valid, "text/plain"), 415, "unsupported_media_type",
       "Content-Type"},
      {"missing content type", post(valid, ""), 415, "unsupported_media_type", "Content-Type"},
      {"unknown encoding", post(valid, "application/json", "br"), 415, "unsupported_media_type",
       "Content-Encoding"},
      {"forged receipt", post(with([](json& j) {
         j["server"] = {{"received_at", "x"}};
       })),
       400, "invalid_report", "server: reserved"},
  };
  for (const auto& c : cases) {
    auto reply = httpRequest(server.port(), c.call);
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.body << reply.error;
    if (reply.status == 0) continue;
    EXPECT_NE(reply.headers["content-type"].find("application/json"), std::string::npos) << c.name;
    auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << c.name << ": " << reply.body;
    EXPECT_EQ(body["error"], c.error) << c.name;
    EXPECT_NE(body["detail"].get<std::string>().find(c.detail_contains), std::string::npos)
        << c.name << ": " << body["detail"];
  }
  expectNothingStored();

  // The server is still healthy and a good report still goes in.
  EXPECT_EQ(httpRequest(server.port(), post(valid)).status, 201);
}

TEST_F(ServerBadInput, GzipBodyWithinLimitsIsAccepted) {
  auto reply = httpRequest(server.port(), post(vigia::server::gzipCompress(goodReport().dump()),
                                               "application/json; charset=utf-8", "gzip"));
  EXPECT_EQ(reply.status, 201) << reply.body;
}

TEST_F(ServerBadInput, UnknownPathsAndWrongMethods) {
  auto r404 = vigia::test::httpGet(server.port(), "/nope");
  EXPECT_EQ(r404.status, 404);
  EXPECT_EQ(json::parse(r404.body)["error"], "not_found");
  auto r405 = vigia::test::httpCall(server.port(), "GET", "/api/v1/reports");
  EXPECT_EQ(r405.status, 405);
  EXPECT_EQ(r405.headers["allow"], "POST");
  EXPECT_EQ(json::parse(r405.body)["error"], "method_not_allowed");
  EXPECT_EQ(vigia::test::httpCall(server.port(), "DELETE", "/api/v1/servers").status, 405);
  EXPECT_EQ(vigia::test::httpCall(server.port(), "POST", "/healthz").status, 405);
}

TEST_F(ServerBadInput, OversizedHeaderIsRefused) {
  HttpCall c;
  c.target = "/healthz";
  c.headers.emplace_back("X-Filler", std::string(20000, 'a'));
  auto reply = httpRequest(server.port(), c);
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(vigia::test::httpGet(server.port(), "/healthz").status, 200);
}

TEST_F(ServerBadInput, GarbageOnTheSocketGets400) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string garbage = "\x01\x02 NOT HTTP\r\n\r\n";
  ASSERT_EQ(::write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  char buf[512] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 400", 0), 0u) << buf;
}

}  // namespace
