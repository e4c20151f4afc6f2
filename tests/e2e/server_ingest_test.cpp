// The main path end to end: the real agent's report through the real server, then every store
// and every GET endpoint checked against it.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "common/identifiers.hpp"
#include "common/validate.hpp"
#include "csv_reader.hpp"
#include "http_client.hpp"
#include "read_file.hpp"
#include "server_process.hpp"
#include "test_report.hpp"

namespace {

using nlohmann::json;
using vigia::test::HttpCall;
using vigia::test::httpRequest;
using vigia::test::postReport;
using vigia::test::ServerProcess;
using vigia::test::TempDir;

std::int64_t queryInt(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* conn = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(conn);
  std::int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(conn);
  return value;
}

class ServerIngest : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";
  ServerProcess server{VIGIA_SERVER_BIN, {"--data-dir", data.string()}};
};

// The fleet-wide search over a real connection: the agent's processes are found by name, and
// the CSV export of all of them comes chunked, whole.
TEST_F(ServerIngest, SearchFindsTheAgentsProcessesAndExportsThemAsStreamedCsv) {
  const std::string body = vigia::test::captureStdout({VIGIA_AGENT_BIN, "collect"});
  auto sent = vigia::common::parseAndValidate(body);
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(postReport(server.port(), body).status, 201);
  const auto& first = sent->report.processes.front();
  const auto found = vigia::test::httpGet(
      server.port(), "/api/v1/processes?limit=1000&host=" + sent->report.host.ip +
                         "&at=" + sent->report.collected_at);
  ASSERT_EQ(found.status, 200) << found.body;
  const auto items = json::parse(found.body)["items"];
  EXPECT_EQ(items.size(), sent->report.processes.size());
  bool seen = false;
  for (const auto& item : items) seen = seen || item["pid"] == first.pid;
  EXPECT_TRUE(seen) << first.pid;

  const auto csv = vigia::test::httpGet(server.port(), "/api/v1/processes?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.at("transfer-encoding"), "chunked");
  EXPECT_EQ(csv.headers.at("content-type"), "text/csv; charset=utf-8");
  const auto rows = vigia::test::parseCsv(csv.body);
  EXPECT_EQ(rows.size(), 1 + sent->report.processes.size());
  EXPECT_EQ(rows.front().front(), "host_ip");
}

TEST_F(ServerIngest, AgentReportLandsInEveryStoreAndTheApiServesIt) {
  const std::string body = vigia::test::captureStdout({VIGIA_AGENT_BIN, "collect"});
  auto sent = vigia::common::parseAndValidate(body);
  ASSERT_TRUE(sent.ok());
  const auto& report = sent->report;

  auto reply = postReport(server.port(), body);
  ASSERT_EQ(reply.status, 201) << reply.body << reply.error;
  EXPECT_EQ(json::parse(reply.body), (json{{"id", report.report_id}, {"status", "stored"}}));

  // CSV: named <IP>_<UTC date>.csv; header once; host row, then processes, then sessions.
  const std::string stem = report.host.ip + "_" + vigia::common::utcDate(sent->collected_at);
  const auto csv_path = data / "csv" / (stem + ".csv");
  ASSERT_TRUE(std::filesystem::exists(csv_path)) << csv_path;
  const auto rows = vigia::test::parseCsv(vigia::test::readWholeFile(csv_path));
  ASSERT_EQ(rows.size(), 1 + 1 + report.processes.size() + report.sessions.size());
  EXPECT_EQ(rows[0],
            (vigia::test::CsvRow{
                "report_id",  "collected_at", "server_ip",  "hostname", "record", "pid",
                "ppid",       "user",         "name",       "command",  "tty",    "remote_host",
                "login_time", "os_name",      "os_version", "kernel",   "arch",   "cpu_vendor",
                "cpu_model",  "cpu_cores",    "cpu_threads"}));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 21u) << i;
    EXPECT_EQ(rows[i][0], report.report_id);
    EXPECT_EQ(rows[i][1], report.collected_at);
    EXPECT_EQ(rows[i][2], report.host.ip);
    EXPECT_EQ(rows[i][3], report.host.hostname);
  }
  EXPECT_EQ(rows[1][4], "host");
  EXPECT_EQ(rows[1][13], report.os.name);
  EXPECT_EQ(rows[1][14], report.os.version);
  EXPECT_EQ(rows[1][18], report.cpu.model);
  for (std::size_t i = 0; i < report.processes.size(); ++i) {
    const auto& row = rows[2 + i];
    const auto& p = report.processes[i];
    EXPECT_EQ(row[4], "process");
    EXPECT_EQ(row[5], std::to_string(p.pid));
    EXPECT_EQ(row[7], p.user);
    EXPECT_EQ(row[8], p.name);
    const std::string command = p.command.value_or("");
    const bool guarded =
        !command.empty() && std::string("=+-@\t\r").find(command[0]) != std::string::npos;
    EXPECT_EQ(row[9], guarded ? "'" + command : command) << p.pid;
  }

  // JSON Lines: the report as received plus the server's receipt, on one line.
  const std::string jsonl = vigia::test::readWholeFile(data / "json" / (stem + ".jsonl"));
  ASSERT_FALSE(jsonl.empty());
  EXPECT_EQ(jsonl.find('\n'), jsonl.size() - 1);
  json line = json::parse(jsonl);
  EXPECT_EQ(line["server"]["source_addr"], "127.0.0.1");
  EXPECT_TRUE(vigia::common::parseRfc3339(line["server"]["received_at"].get<std::string>()).ok());
  line.erase("server");
  EXPECT_EQ(line, json::parse(body));

  // SQL: normalized rows.
  const auto db = data / "vigia.db";
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM reports"), 1);
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM hosts"), 1);
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM processes"),
            static_cast<std::int64_t>(report.processes.size()));
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM sessions"),
            static_cast<std::int64_t>(report.sessions.size()));
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM os_releases"), 1);
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM cpu_models"), 1);

  // GET endpoints.
  auto servers = vigia::test::httpGet(server.port(), "/api/v1/servers");
  ASSERT_EQ(servers.status, 200);
  const json items = json::parse(servers.body)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["ip"], report.host.ip);
  EXPECT_EQ(items[0]["hostname"], report.host.hostname);
  EXPECT_EQ(items[0]["os_name"], report.os.name);
  EXPECT_EQ(items[0]["os_version"], report.os.version);
  EXPECT_EQ(items[0]["last_report_at"], report.collected_at);
  EXPECT_EQ(items[0]["reports"], 1);

  auto list = vigia::test::httpGet(server.port(), "/api/v1/servers/" + report.host.ip + "/reports");
  ASSERT_EQ(list.status, 200) << list.body;
  const json listed = json::parse(list.body)["items"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], report.report_id);
  EXPECT_EQ(listed[0]["processes"], report.processes.size());
  EXPECT_EQ(listed[0]["sessions"], report.sessions.size());

  auto one = vigia::test::httpGet(server.port(), "/api/v1/reports/" + report.report_id);
  ASSERT_EQ(one.status, 200);
  json whole = json::parse(one.body);
  EXPECT_TRUE(whole.contains("server"));
  whole.erase("server");
  EXPECT_EQ(whole, json::parse(body));

  // A retry is a duplicate: answered 200, nothing stored twice.
  auto again = postReport(server.port(), body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["status"], "duplicate");
  EXPECT_EQ(queryInt(db, "SELECT count(*) FROM reports"), 1);
  EXPECT_EQ(vigia::test::parseCsv(vigia::test::readWholeFile(csv_path)).size(), rows.size());
}

json reportFor(const std::string& ip, const std::string& collected_at, int processes) {
  vigia::test::TestReportSpec spec;
  spec.ip = ip;
  spec.collected_at = collected_at;
  spec.processes = processes;
  return vigia::test::testReport(spec);
}

TEST_F(ServerIngest, ReportsListNewestFirstWithLimitAndBefore) {
  for (int hour = 0; hour < 5; ++hour) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "2026-11-20T%02d:00:00Z", hour);
    ASSERT_EQ(postReport(server.port(), reportFor("10.1.2.3", ts, 2).dump()).status, 201);
  }
  auto all = vigia::test::httpGet(server.port(), "/api/v1/servers/10.1.2.3/reports");
  ASSERT_EQ(all.status, 200);
  const json items = json::parse(all.body)["items"];
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0]["collected_at"], "2026-11-20T04:00:00Z");
  EXPECT_EQ(items[4]["collected_at"], "2026-11-20T00:00:00Z");

  auto page = vigia::test::httpGet(
      server.port(), "/api/v1/servers/10.1.2.3/reports?limit=2&before=2026-11-20T03:00:00Z");
  ASSERT_EQ(page.status, 200);
  const json paged = json::parse(page.body)["items"];
  ASSERT_EQ(paged.size(), 2u);
  EXPECT_EQ(paged[0]["collected_at"], "2026-11-20T02:00:00Z");
  EXPECT_EQ(paged[1]["collected_at"], "2026-11-20T01:00:00Z");

  // An offset in `before` is an instant like any other (percent-encoded '+'): 05:00+03:00 is
  // 02:00Z, so 00:00 and 01:00 are strictly before it.
  auto offset = vigia::test::httpGet(
      server.port(), "/api/v1/servers/10.1.2.3/reports?before=2026-11-20T05:00:00%2B03:00");
  ASSERT_EQ(offset.status, 200);
  EXPECT_EQ(json::parse(offset.body)["items"].size(), 2u);

  EXPECT_EQ(vigia::test::httpGet(server.port(), "/api/v1/servers/10.9.9.9/reports").status, 404);
  EXPECT_EQ(vigia::test::httpGet(server.port(), "/api/v1/servers/10.1.2.3/reports?limit=0").status,
            400);
  EXPECT_EQ(
      vigia::test::httpGet(server.port(), "/api/v1/servers/10.1.2.3/reports?limit=1001").status,
      400);
  EXPECT_EQ(vigia::test::httpGet(server.port(), "/api/v1/servers/10.1.2.3/reports?before=yesterday")
                .status,
            400);
  EXPECT_EQ(
      vigia::test::httpGet(server.port(), "/api/v1/reports/" + vigia::common::newUuidV4()).status,
      404);
}

TEST_F(ServerIngest, FilesAreNamedByCanonicalIpAndUtcDate) {
  // 01:30 at +03:00 is the previous day in UTC; ::ffff:10.0.0.7 is 10.0.0.7.
  ASSERT_EQ(
      postReport(server.port(), reportFor("::ffff:10.0.0.7", "2026-11-22T01:30:00+03:00", 1).dump())
          .status,
      201);
  ASSERT_EQ(postReport(server.port(), reportFor("2001:DB8::0:1", "2026-11-22T12:00:00Z", 1).dump())
                .status,
            201);
  EXPECT_TRUE(std::filesystem::exists(data / "csv" / "10.0.0.7_2026-11-21.csv"));
  EXPECT_TRUE(std::filesystem::exists(data / "json" / "10.0.0.7_2026-11-21.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(data / "csv" / "2001:db8::1_2026-11-22.csv"));
}

TEST_F(ServerIngest, HealthAndMetrics) {
  auto health = vigia::test::httpGet(server.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  ASSERT_EQ(
      postReport(server.port(), reportFor("10.0.0.1", "2026-11-22T12:00:00Z", 1).dump()).status,
      201);
  ASSERT_EQ(postReport(server.port(), "{").status, 400);
  auto metrics = vigia::test::httpGet(server.port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigia_reports_stored_total 1\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("vigia_reports_rejected_total{reason=\"invalid_report\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("vigia_known_servers 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigia_ingest_latency_seconds_count 1\n"), std::string::npos);
}

TEST_F(ServerIngest, GracefulShutdownExitsZero) {
  ASSERT_EQ(
      postReport(server.port(), reportFor("10.0.0.1", "2026-11-22T12:00:00Z", 1).dump()).status,
      201);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.logs();
}

}  // namespace
