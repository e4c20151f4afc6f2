// Compliance with the real server (docs/compliance.md): a policy given with --policy, reports that
// pass and fail it over 127.0.0.1, every compliance endpoint (JSON and CSV), SIGHUP with a changed
// and with a broken policy, a bad policy at start, a host turning stale, and webhooks delivered to
// a receiver the test runs: across a kill -9 with events queued, and past a receiver that hangs.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "subprocess.hpp"
#include "test_report.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using vigia::test::httpGet;
using vigia::test::postReport;
using vigia::test::ServerProcess;
using vigia::test::TempDir;
namespace fs = std::filesystem;

constexpr const char* kPolicy = R"toml([policy]
name = "e2e"
version = "1"

[[rules]]
id = "no-miner"
title = "No crypto-miner"
severity = "critical"
forbid_process = { name = "xmrig" }

[[rules]]
id = "sshd-running"
title = "The SSH daemon runs"
severity = "high"
require_process = { name = "sshd" }
)toml";

fs::path write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds deadline = 20s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

// A report of `ip` collected `ago` before now, listing `names` (pid order).
std::string report(const std::string& ip, const std::vector<std::string>& names,
                   std::chrono::seconds ago = 0s) {
  Json r = vigia::test::testReport(
      {.ip = ip,
       .collected_at = vigia::common::formatRfc3339Utc(vigia::common::nowUtc() - ago),
       .processes = 0});
  int pid = 100;
  for (const auto& name : names) {
    r["processes"].push_back({{"pid", pid++}, {"name", name}, {"user", "root"}, {"command", name}});
  }
  return r.dump();
}

Json getJson(unsigned short port, const std::string& target) {
  auto reply = httpGet(port, target);
  EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
  Json j = Json::parse(reply.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << target;
  return j;
}

class ServerCompliance : public ::testing::Test {
 protected:
  TempDir dir_;
  fs::path policy_ = write(dir_.path() / "policy.toml", kPolicy);
  fs::path data_ = dir_.path() / "data";
};

TEST_F(ServerCompliance, EveryEndpointAnswersFromTheVerdicts) {
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", data_.string(), "--policy", policy_.string()});
  const auto port = server.port();
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"sshd", "xmrig"})).status, 201);
  ASSERT_EQ(postReport(port, report("10.5.0.2", {"sshd"})).status, 201);
  ASSERT_EQ(postReport(port, report("10.5.0.3", {"cron"}, 3600s)).status, 201);  // stale

  const Json policy = getJson(port, "/api/v1/policy");
  EXPECT_EQ(policy["name"], "e2e");
  EXPECT_EQ(policy["version"], "1");
  EXPECT_EQ(policy["digest"].get<std::string>().size(), 64u);
  EXPECT_TRUE(policy["loaded_at"].is_string());
  ASSERT_EQ(policy["rules"].size(), 2u);
  EXPECT_EQ(policy["rules"][0]["kind"], "forbid_process");

  const Json fleet = getJson(port, "/api/v1/compliance");
  EXPECT_EQ(fleet["hosts"], (Json{{"total", 3}, {"compliant", 1}, {"failing", 1}, {"stale", 1}}));
  EXPECT_EQ(fleet["rules"][0]["id"], "no-miner");
  EXPECT_EQ(fleet["rules"][0]["fail"], 1);
  EXPECT_EQ(fleet["rules"][0]["pass"], 1);
  EXPECT_EQ(fleet["policy"]["name"], "e2e");

  const Json failing = getJson(port, "/api/v1/compliance/hosts?status=failing");
  ASSERT_EQ(failing["items"].size(), 1u);
  EXPECT_EQ(failing["items"][0]["ip"], "10.5.0.1");
  EXPECT_EQ(failing["items"][0]["failing"], Json::array({"no-miner"}));
  EXPECT_EQ(failing["items"][0]["worst_severity"], "critical");
  EXPECT_EQ(getJson(port, "/api/v1/compliance/hosts?status=stale")["items"][0]["ip"], "10.5.0.3");
  EXPECT_EQ(getJson(port, "/api/v1/compliance/hosts?rule=sshd-running")["items"].size(), 1u);
  EXPECT_EQ(getJson(port, "/api/v1/compliance/hosts?severity=high")["items"].size(), 2u);
  const Json page = getJson(port, "/api/v1/compliance/hosts?limit=2");
  ASSERT_EQ(page["items"].size(), 2u);
  ASSERT_TRUE(page["next"].is_string());
  const Json rest =
      getJson(port, "/api/v1/compliance/hosts?limit=2&cursor=" + page["next"].get<std::string>());
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_EQ(rest["items"][0]["ip"], "10.5.0.3");

  const Json host = getJson(port, "/api/v1/servers/10.5.0.1/compliance");
  ASSERT_EQ(host["items"].size(), 2u);
  EXPECT_EQ(host["items"][0]["rule"], "no-miner");
  EXPECT_EQ(host["items"][0]["status"], "fail");
  EXPECT_EQ(host["items"][0]["evidence"][0]["name"], "xmrig");
  EXPECT_EQ(host["items"][0]["evidence"][0]["pid"], 101);
  EXPECT_TRUE(host["items"][0]["waiver"].is_null());
  EXPECT_EQ(host["items"][1]["status"], "pass");
  EXPECT_EQ(httpGet(port, "/api/v1/servers/10.9.9.9/compliance").status, 404);

  const Json history = getJson(port, "/api/v1/servers/10.5.0.1/compliance/history?rule=no-miner");
  ASSERT_EQ(history["items"].size(), 1u);
  EXPECT_EQ(history["items"][0]["status"], "fail");

  const Json trend = getJson(port, "/api/v1/compliance/trend?days=3");
  ASSERT_EQ(trend["items"].size(), 3u);
  EXPECT_EQ(trend["items"][2]["date"], vigia::common::utcDate(vigia::common::nowUtc()));
  EXPECT_EQ(trend["items"][2]["failing"], 1);

  // CSV: a header naming the keys, one row per item, plain lists joined with ';'.
  auto csv = httpGet(port, "/api/v1/compliance/hosts?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["content-type"].rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\n')),
            "ip,hostname,last_report_at,status,failing,worst_severity");
  EXPECT_NE(csv.body.find("10.5.0.3"), std::string::npos);
  for (const char* target :
       {"/api/v1/compliance?format=csv", "/api/v1/servers/10.5.0.1/compliance?format=csv",
        "/api/v1/servers/10.5.0.1/compliance/history?format=csv",
        "/api/v1/compliance/trend?format=csv"}) {
    auto answer = httpGet(port, target);
    EXPECT_EQ(answer.status, 200) << target;
    EXPECT_EQ(answer.headers["content-type"].rfind("text/csv", 0), 0u) << target;
  }
  EXPECT_NE(httpGet(port, "/api/v1/servers/10.5.0.1/compliance?format=csv")
                .body.find("\"\"name\"\":\"\"xmrig\"\""),
            std::string::npos)
      << "evidence as its compact JSON";
  EXPECT_EQ(httpGet(port, "/api/v1/compliance/hosts?status=bad").status, 400);
  EXPECT_EQ(httpGet(port, "/api/v1/compliance/trend?days=0").status, 400);

  const auto metrics = httpGet(port, "/metrics").body;
  EXPECT_NE(metrics.find("vigia_compliance_hosts{status=\"failing\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("vigia_compliance_rule_hosts{rule=\"no-miner\",severity=\"critical\","
                         "status=\"fail\"} 1"),
            std::string::npos);
}

TEST_F(ServerCompliance, ALateReportIsPlacedInTheVerdictHistoryByItsTime) {
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", data_.string(), "--policy", policy_.string()});
  const auto port = server.port();
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"sshd"}, 180s)).status, 201);
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"sshd"}, 60s)).status, 201);
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"sshd"})).status, 201);
  const std::string target = "/api/v1/servers/10.5.0.1/compliance/history?rule=no-miner";
  ASSERT_EQ(getJson(port, target)["items"].size(), 1u);  // one pass run
  // From a spool: collected between the first two, with the miner.
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"sshd", "xmrig"}, 120s)).status, 201);
  const Json history = getJson(port, target);
  ASSERT_EQ(history["items"].size(), 3u) << history.dump();
  EXPECT_EQ(history["items"][0]["status"], "pass");  // newest first
  EXPECT_EQ(history["items"][1]["status"], "fail");
  EXPECT_EQ(history["items"][1]["first_seen_at"], history["items"][1]["last_seen_at"]);
  EXPECT_EQ(history["items"][1]["evidence"][0]["name"], "xmrig");
  EXPECT_EQ(history["items"][2]["status"], "pass");
  // The host's current verdict is that of its newest report, untouched by the late one.
  const Json now = getJson(port, "/api/v1/servers/10.5.0.1/compliance");
  EXPECT_EQ(now["items"][0]["status"], "pass");
  EXPECT_EQ(now["items"][0]["since"], history["items"][0]["first_seen_at"]);
}

TEST_F(ServerCompliance, SighupAppliesAChangedPolicyAndKeepsTheOldOneWhenTheNewIsBroken) {
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", data_.string(), "--policy", policy_.string()});
  const auto port = server.port();
  ASSERT_EQ(postReport(port, report("10.5.0.1", {"cron"})).status, 201);
  EXPECT_EQ(getJson(port, "/api/v1/compliance")["hosts"]["failing"], 1);  // no sshd
  const std::string first_digest = getJson(port, "/api/v1/policy")["digest"];

  write(policy_, std::string(kPolicy).replace(std::string(kPolicy).find("name = \"sshd\""), 13,
                                              "name = \"cron\""));
  ::kill(server.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return getJson(port, "/api/v1/compliance")["hosts"]["compliant"] == 1;
  })) << server.logs();
  EXPECT_NE(getJson(port, "/api/v1/policy")["digest"], first_digest);

  const std::string changed_digest = getJson(port, "/api/v1/policy")["digest"];
  write(policy_, "[[rules]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"loud\"\nmax_sessions = 1\n");
  ::kill(server.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return httpGet(port, "/metrics").body.find("vigia_policy_last_reload_ok 0") !=
           std::string::npos;
  }));
  // The log is read from the server's stderr as it comes.
  EXPECT_TRUE(eventually([&] {
    return server.logs().find("policy.toml:4") != std::string::npos &&
           server.logs().find("the policy in force stays") != std::string::npos;
  })) << server.logs();
  EXPECT_EQ(getJson(port, "/api/v1/policy")["digest"], changed_digest);
  EXPECT_EQ(getJson(port, "/api/v1/compliance")["hosts"]["compliant"], 1);
}

TEST_F(ServerCompliance, ABadPolicyStopsTheStartWithItsFileLineAndReason) {
  write(policy_,
        "[[rules]]\nid = \"a\"\ntitle = \"t\"\nseverity = \"low\"\nforbid_process = "
        "{ name_regex = \"(\" }\n");
  auto run = vigia::test::runProcess({VIGIA_SERVER_BIN, "--listen", "127.0.0.1:0", "--data-dir",
                                      data_.string(), "--policy", policy_.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("policy.toml:5"), std::string::npos) << run.err;
}

TEST_F(ServerCompliance, AHostTurnsStaleWhenItsNewestReportAges) {
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data_.string(), "--policy",
                                          policy_.string(), "--stale-after-seconds", "2"});
  ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd"})).status, 201);
  EXPECT_EQ(getJson(server.port(), "/api/v1/compliance")["hosts"]["compliant"], 1);
  ASSERT_TRUE(eventually(
      [&] { return getJson(server.port(), "/api/v1/compliance")["hosts"]["stale"] == 1; }, 10s));
  const Json fleet = getJson(server.port(), "/api/v1/compliance");
  EXPECT_EQ(fleet["hosts"]["compliant"], 0) << "a stale host is never compliant";
  EXPECT_EQ(fleet["rules"][1]["pass"], 0) << "nor counted in the rules";
}

TEST_F(ServerCompliance, AHostGoingStaleAndComingBackIsAnnounced) {
  vigia::test::WebhookReceiver receiver;
  const auto config = write(dir_.path() / "server.toml",
                            "[compliance]\npolicies = [\"" + policy_.string() +
                                "\"]\nstale_after_seconds = 2\n[[compliance.webhooks]]\nurl = \"" +
                                receiver.url() + "\"\n");
  ServerProcess server(VIGIA_SERVER_BIN,
                       {"--data-dir", data_.string(), "--config", config.string()});
  ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd"})).status, 201);
  const auto staleEvent = [&](const std::string& to) {
    for (const auto& r : receiver.requests()) {
      const Json e = Json::parse(r.body);
      if (e["kind"] == "stale" && e["to"] == to) return e;
    }
    return Json();
  };
  ASSERT_TRUE(eventually([&] { return !staleEvent("stale").is_null(); }, 15s)) << server.logs();
  const Json gone = staleEvent("stale");
  EXPECT_EQ(gone["from"], "compliant");
  EXPECT_EQ(gone["host"]["ip"], "10.5.0.1");
  EXPECT_TRUE(gone["rule"].is_null());
  EXPECT_TRUE(gone["report_id"].is_null());
  ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd", "xmrig"})).status, 201);
  ASSERT_TRUE(eventually([&] { return !staleEvent("failing").is_null(); }, 15s));
  EXPECT_EQ(staleEvent("failing")["from"], "stale");
}

TEST_F(ServerCompliance, WebhookEventsSurviveAKillAndAHangingReceiverDoesNotSlowIngest) {
  vigia::test::WebhookReceiver receiver;
  receiver.answerWith(503);  // down: events stay queued
  const auto config =
      write(dir_.path() / "server.toml", "[compliance]\npolicies = [\"" + policy_.string() +
                                             "\"]\n[[compliance.webhooks]]\nurl = \"" +
                                             receiver.url() + "\"\nmin_severity = \"critical\"\n");
  std::set<std::string> ids;
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data_.string(), "--config",
                                            config.string(), "--compress", "none"});
    ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd"}, 120s)).status, 201);
    ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd", "xmrig"}, 60s)).status, 201);
    ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd"})).status, 201);
    ASSERT_TRUE(receiver.waitForRequests(1, 10s));  // tried, refused
    server.stop(SIGKILL);
  }
  for (const auto& r : receiver.requests()) ids.insert(Json::parse(r.body)["id"]);
  receiver.answerWith(200);
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data_.string(), "--config", config.string(),
                                          "--compress", "none"});
  // pass→fail and fail→pass of the critical rule; sshd-running (high) is below min_severity.
  ASSERT_TRUE(eventually(
      [&] {
        std::set<std::string> delivered;
        for (const auto& r : receiver.requests()) delivered.insert(Json::parse(r.body)["id"]);
        return delivered.size() == 2;
      },
      30s))
      << server.logs();
  std::vector<Json> events;
  for (const auto& r : receiver.requests()) {
    events.push_back(Json::parse(r.body));
    EXPECT_EQ(r.headers.at("x-vigia-event-id"), events.back()["id"]);
  }
  for (const auto& id : ids) {
    EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const Json& e) {
      return e["id"] == id;
    })) << "an event tried before the kill keeps its id";
  }
  EXPECT_EQ(events.back()["kind"], "verdict");
  EXPECT_EQ(events.back()["rule"]["id"], "no-miner");
  EXPECT_EQ(events.back()["from"], "fail");
  EXPECT_EQ(events.back()["to"], "pass");

  // A receiver that never answers: every report is still answered at once.
  receiver.hang(true);
  ASSERT_EQ(postReport(server.port(), report("10.5.0.1", {"sshd", "xmrig"})).status, 201);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(
        postReport(server.port(), report("10.5.0." + std::to_string(10 + i), {"xmrig"})).status,
        201);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  receiver.hang(false);
}

}  // namespace
