// `vigia-agent check` as a security team runs it (docs/compliance.md): a policy and a saved report
// (or this machine), one line per rule or --json, and its exit statuses.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "read_file.hpp"
#include "subprocess.hpp"
#include "temp_tree.hpp"

namespace {

using nlohmann::json;
using vigia::test::runProcess;

const std::string kFullReport = std::string(VIGIA_FIXTURES_DIR) + "/reports/valid_full.json";

// valid_full.json is a Debian 12 host, web-01 at 10.0.0.5, whose pid 1 is process_api and which
// runs no sshd.
constexpr const char* kPolicy = R"([policy]
name = "check-test"
version = "1"

[[rules]]
id = "supported-os"
title = "A supported OS release"
severity = "medium"
require_os = [{ id = "debian", min_version = "12" }]

[[rules]]
id = "no-process-api"
title = "No process_api"
severity = "high"
forbid_process = { name = "process_api" }

[[rules]]
id = "rhel-only"
title = "Only on RHEL"
severity = "low"
applies_to = { os_id = "rhel" }
require_process = { name = "sshd" }
)";

constexpr const char* kWaiver = R"([[waivers]]
rule = "no-process-api"
hosts = ["10.0.0.0/24"]
reason = "The sandbox's init"
owner = "secops@example.com"
expires = "2099-12-31"
)";

class AgentCheck : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    return tree_.write(name, text).string();
  }
  vigia::test::ProcessResult check(std::vector<std::string> args) {
    args.insert(args.begin(), {VIGIA_AGENT_BIN, "check"});
    return runProcess(args);
  }
  vigia::test::TempTree tree_;
};

TEST_F(AgentCheck, OneLinePerRuleAndExitOneWhenARuleFails) {
  const auto r = check({"--policy", write("p.toml", kPolicy), "--report", kFullReport});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "pass            supported-os    A supported OS release\n"
            "fail            no-process-api  No process_api  "
            "[{\"pid\":1,\"name\":\"process_api\",\"user\":\"root\",\"command\":\"/process_api "
            "--firecracker-init --addr 0.0.0.0:2024 --max-ws-buffer-size 32768 "
            "--block-local-connections --log-vsock-port 5002 --control-vsock-port 5001 "
            "--listen-vsock-port 2024 --tcp-readiness-only --auth-required\"}]\n"
            "not_applicable  rhel-only       Only on RHEL\n");
}

TEST_F(AgentCheck, AWaivedRuleIsNotAFailure) {
  const auto r = check({"--policy", write("p.toml", kPolicy), "--policy",
                        write("waivers.toml", kWaiver), "--report", kFullReport});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("waived          no-process-api  No process_api  [{\"pid\":1,"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("waived until 2099-12-31: The sandbox's init (secops@example.com)\n"),
            std::string::npos)
      << r.out;
}

TEST_F(AgentCheck, JsonItemsAreShapedAsTheApisWithoutSince) {
  const auto r = check({"--policy", write("p.toml", kPolicy), "--policy",
                        write("waivers.toml", kWaiver), "--report", kFullReport, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json answer = json::parse(r.out);
  ASSERT_TRUE(answer.contains("items"));
  const auto& items = answer["items"];
  ASSERT_EQ(items.size(), 3u);
  for (const auto& item : items) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : item.items()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"evidence", "report_id", "rule", "severity", "status",
                                              "title", "waiver"}));
    EXPECT_EQ(item["report_id"], "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41");
    EXPECT_TRUE(item["evidence"].is_array());
  }
  EXPECT_EQ(items[0]["rule"], "supported-os");
  EXPECT_EQ(items[0]["status"], "pass");
  EXPECT_EQ(items[0]["severity"], "medium");
  EXPECT_TRUE(items[0]["waiver"].is_null());
  EXPECT_EQ(items[1]["status"], "waived");
  EXPECT_EQ(items[1]["evidence"][0]["pid"], 1);
  EXPECT_EQ(items[1]["evidence"][0]["name"], "process_api");
  EXPECT_EQ(items[1]["waiver"],
            json::parse(R"({"reason": "The sandbox's init", "owner": "secops@example.com",
                            "expires": "2099-12-31"})"));
  EXPECT_EQ(items[2]["status"], "not_applicable");
}

TEST_F(AgentCheck, AStoredReportWithItsServerReceiptIsJudgedToo) {
  json stored = json::parse(vigia::test::readWholeFile(kFullReport));
  stored["server"] = {{"received_at", "2026-11-22T13:38:54.001Z"}, {"source_addr", "10.0.0.5"}};
  const auto r = check({"--policy", write("p.toml", kPolicy), "--report",
                        write("stored.json", stored.dump()), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(json::parse(r.out)["items"][1]["status"], "fail");
}

TEST_F(AgentCheck, AMissingVersionIsAnErrorAndExitsOne) {
  json report = json::parse(vigia::test::readWholeFile(kFullReport));
  report["os"].erase("version_id");
  report["processes"] = json::array();
  const auto r = check({"--policy", write("p.toml", kPolicy), "--report",
                        write("report.json", report.dump()), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto items = json::parse(r.out)["items"];
  EXPECT_EQ(items[0]["status"], "error");
  EXPECT_EQ(items[0]["evidence"], json::parse(R"([{"field": "os.version_id", "value": null}])"));
  EXPECT_EQ(items[1]["status"], "pass");
}

TEST_F(AgentCheck, TheReportCanComeFromStdin) {
  const std::string policy = write("p.toml", kPolicy);
  const auto r = runProcess({"/bin/sh", "-c",
                             std::string("exec \"$0\" check --policy \"$1\" --report - < \"$2\""),
                             VIGIA_AGENT_BIN, policy, kFullReport});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("fail            no-process-api"), std::string::npos) << r.out;
}

TEST_F(AgentCheck, ABadPolicyExitsTwoWithItsFileLineAndReason) {
  const std::string bad = write("bad.toml", std::string(kPolicy) + "colour = \"red\"\n");
  const auto r = check({"--policy", bad, "--report", kFullReport});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(bad + ":23: unknown key \"colour\" in a rule"), std::string::npos) << r.err;
  // A redefined key is a TOML error; toml++ says so with the line.
  const std::string twice = write("twice.toml", std::string(kPolicy) + "id = \"again\"\n");
  const auto t = check({"--policy", twice, "--report", kFullReport});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find(twice + ":23: "), std::string::npos) << t.err;

  const auto missing = check({"--policy", (tree_.root() / "nope.toml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.toml:0: cannot read: No such file or directory"),
            std::string::npos)
      << missing.err;
}

TEST_F(AgentCheck, UsageErrorsAndBadReportsExitTwo) {
  EXPECT_EQ(check({}).exit_code, 2);  // --policy is required
  EXPECT_EQ(check({"--policy"}).exit_code, 2);
  EXPECT_EQ(check({"--policy", write("p.toml", kPolicy), "--colour"}).exit_code, 2);
  const auto not_json = check({"--policy", write("p.toml", kPolicy), "--report",
                               write("r.json", "{\"schema_version\": 1,")});
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_NE(not_json.err.find("r.json: not a report: not valid JSON"), std::string::npos)
      << not_json.err;
  const auto not_report = check({"--policy", write("p.toml", kPolicy), "--report",
                                 write("r2.json", "{\"schema_version\": 1}")});
  EXPECT_EQ(not_report.exit_code, 2);
  EXPECT_NE(not_report.err.find("not a report: report_id: required"), std::string::npos)
      << not_report.err;
  const auto absent = check(
      {"--policy", write("p.toml", kPolicy), "--report", (tree_.root() / "none.json").string()});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_NE(absent.err.find("none.json: cannot be read"), std::string::npos) << absent.err;
}

TEST_F(AgentCheck, ThisMachineIsJudgedWithoutAReport) {
  const auto r = check({"--policy", write("p.toml", kPolicy), "--json"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << ": " << r.err;
  const json answer = json::parse(r.out);
  ASSERT_EQ(answer["items"].size(), 3u);
  for (const auto& item : answer["items"]) {
    const std::string status = item["status"];
    EXPECT_TRUE(status == "pass" || status == "fail" || status == "waived" ||
                status == "not_applicable" || status == "error")
        << status;
  }
}

}  // namespace
