#include "common/validate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/report_json.hpp"

namespace vigia::common {
namespace {

// The tests build documents with nlohmann/json and hand the validator their text, as the
// server receives it.
Result<Report> validateReport(const Json& document) {
  auto r = parseAndValidate(document.dump());
  if (!r) return r.error();
  return std::move(r->report);
}

Status parseJson(std::string_view text) {
  auto r = parseAndValidate(text);
  if (!r) return r.error();
  return Ok{};
}

// A valid report to mutate: one case per rule of docs/report-schema.md.
Json baseReport() {
  return Json::parse(R"json({
    "schema_version": 1,
    "report_id": "3F1C6A52-6A0E-4E8A-9D3B-1F2A0C9B7E41",
    "collected_at": "2026-11-22T10:13:21.123Z",
    "agent": {"version": "0.1.0", "collect_ms": 2.5, "cpu_seconds": 0.004, "peak_rss_bytes": 4000000},
    "host": {"hostname": "web-01", "ip": "10.0.0.5", "machine_id": "abc", "boot_time": "2026-11-20T08:00:00Z"},
    "os": {"name": "Debian GNU/Linux", "version": "12 (bookworm)", "id": "debian",
           "version_id": "12", "kernel": "6.1.0-18-amd64", "arch": "x86_64"},
    "cpu": {"vendor": "GenuineIntel", "model": "Intel(R) Xeon(R) CPU @ 2.20GHz", "arch": "x86_64",
            "sockets": 1, "cores": 2, "threads": 4, "mhz": 2200.0},
    "processes": [
      {"pid": 1, "ppid": 0, "name": "systemd", "user": "root", "uid": 0, "state": "S",
       "command": "/sbin/init splash", "started_at": "2026-11-20T08:00:01Z",
       "rss_bytes": 12345678, "cpu_seconds": 1.25},
      {"pid": 2, "name": "kthreadd", "user": "root"},
      {"pid": 3, "name": "sshd", "user": "root"},
      {"pid": 4, "name": "bash", "user": "alice"}
    ],
    "sessions": [
      {"user": "alice", "tty": "pts/0", "remote_host": "192.168.1.10",
       "login_time": "2026-11-22T09:00:00Z", "pid": 1234},
      {"user": "bob", "tty": ""}
    ]
  })json");
}

struct BadCase {
  const char* name;
  std::function<void(Json&)> mutate;
  const char* expected_error;  // exact message: the field path, then the problem
};

TEST(Validate, BaseReportIsValidAndCanonicalized) {
  auto r = validateReport(baseReport());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->report_id, "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41");
  EXPECT_EQ(r->host.ip, "10.0.0.5");
  EXPECT_EQ(r->processes.size(), 4u);
  EXPECT_EQ(r->processes[0].command, "/sbin/init splash");
  EXPECT_FALSE(r->processes[1].command.has_value());
  EXPECT_EQ(r->sessions[1].tty, "");
  EXPECT_EQ(r->cpu.threads, 4);
  EXPECT_DOUBLE_EQ(*r->agent.collect_ms, 2.5);
}

TEST(Validate, GoodVariantsAreAccepted) {
  const std::pair<const char*, std::function<void(Json&)>> cases[] = {
      {"empty arrays",
       [](Json& j) {
         j["processes"] = Json::array();
         j["sessions"] = Json::array();
       }},
      {"no optional objects or fields",
       [](Json& j) {
         j.erase("agent");
         j["host"] = {{"hostname", "h"}, {"ip", "::1"}};
         j["os"] = {{"name", "n"}, {"version", "v"}};
         j["cpu"] = {{"model", "m"}};
       }},
      {"offset time", [](Json& j) { j["collected_at"] = "2026-11-22T01:00:00+02:00"; }},
      {"mapped IPv6", [](Json& j) { j["host"]["ip"] = "::ffff:10.0.0.5"; }},
      {"unknown fields everywhere",
       [](Json& j) {
         j["future"] = {{"a", Json::array({1, 2, 3})}};
         j["processes"][0]["container"] = "web";
         j["host"]["tags"] = Json::array({"x"});
       }},
      {"string of exactly 4096 bytes",
       [](Json& j) { j["processes"][0]["command"] = std::string(4096, 'x'); }},
      {"integer-valued float mhz", [](Json& j) { j["cpu"]["mhz"] = 2200; }},
  };
  for (const auto& [name, mutate] : cases) {
    Json j = baseReport();
    mutate(j);
    auto r = validateReport(j);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
  }
}

TEST(Validate, MappedIpv6IsStoredAsIpv4AndOffsetTimeAsUtc) {
  Json j = baseReport();
  j["host"]["ip"] = "::ffff:10.0.0.5";
  j["collected_at"] = "2026-11-22T01:00:00+02:00";
  auto r = validateReport(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host.ip, "10.0.0.5");
  EXPECT_EQ(r->collected_at, "2026-11-21T23:00:00Z");
}

TEST(Validate, EveryViolationNamesItsField) {
  const BadCase cases[] = {
      {"not an object", [](Json& j) { j = Json::array(); }, "report: expected an object"},
      {"forged server receipt",
       [](Json& j) {
         j["server"] = {{"received_at", "x"}};
       },
       "server: reserved for the server's receipt"},
      {"no schema_version", [](Json& j) { j.erase("schema_version"); }, "schema_version: required"},
      {"schema_version 2", [](Json& j) { j["schema_version"] = 2; }, "schema_version: expected 1"},
      {"schema_version string", [](Json& j) { j["schema_version"] = "1"; },
       "schema_version: expected 1"},
      {"no report_id", [](Json& j) { j.erase("report_id"); }, "report_id: required"},
      {"report_id not uuid", [](Json& j) { j["report_id"] = "abc"; },
       "report_id: expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"},
      {"report_id number", [](Json& j) { j["report_id"] = 5; }, "report_id: expected a string"},
      {"no collected_at", [](Json& j) { j.erase("collected_at"); }, "collected_at: required"},
      {"collected_at no zone", [](Json& j) { j["collected_at"] = "2026-11-22T10:13:21"; },
       "collected_at: expected an RFC 3339 time (missing offset), got \"2026-11-22T10:13:21\""},
      {"agent not object", [](Json& j) { j["agent"] = "x"; }, "agent: expected an object"},
      {"agent.version number", [](Json& j) { j["agent"]["version"] = 1; },
       "agent.version: expected a string"},
      {"agent.collect_ms negative", [](Json& j) { j["agent"]["collect_ms"] = -1; },
       "agent.collect_ms: expected a non-negative number"},
      {"no host", [](Json& j) { j.erase("host"); }, "host: required"},
      {"host null", [](Json& j) { j["host"] = nullptr; }, "host: expected an object"},
      {"no hostname", [](Json& j) { j["host"].erase("hostname"); }, "host.hostname: required"},
      {"empty hostname", [](Json& j) { j["host"]["hostname"] = ""; },
       "host.hostname: must not be empty"},
      {"no ip", [](Json& j) { j["host"].erase("ip"); }, "host.ip: required"},
      {"path traversal ip", [](Json& j) { j["host"]["ip"] = "../../etc/passwd"; },
       "host.ip: expected an IPv4 or IPv6 address literal"},
      {"ip with prefix", [](Json& j) { j["host"]["ip"] = "10.0.0.5/24"; },
       "host.ip: expected an IPv4 or IPv6 address literal"},
      {"boot_time bad", [](Json& j) { j["host"]["boot_time"] = "soon"; },
       "host.boot_time: expected an RFC 3339 time (YYYY-MM-DDTHH:MM:SS), got \"soon\""},
      {"no os", [](Json& j) { j.erase("os"); }, "os: required"},
      {"no os.name", [](Json& j) { j["os"].erase("name"); }, "os.name: required"},
      {"no os.version", [](Json& j) { j["os"].erase("version"); }, "os.version: required"},
      {"os.kernel null", [](Json& j) { j["os"]["kernel"] = nullptr; },
       "os.kernel: expected a string"},
      {"no cpu.model", [](Json& j) { j["cpu"].erase("model"); }, "cpu.model: required"},
      {"cpu.cores string", [](Json& j) { j["cpu"]["cores"] = "2"; },
       "cpu.cores: expected a non-negative integer"},
      {"cpu.threads float", [](Json& j) { j["cpu"]["threads"] = 2.5; },
       "cpu.threads: expected a non-negative integer"},
      {"cpu.mhz string", [](Json& j) { j["cpu"]["mhz"] = "fast"; },
       "cpu.mhz: expected a non-negative number"},
      {"no processes", [](Json& j) { j.erase("processes"); }, "processes: required"},
      {"processes object", [](Json& j) { j["processes"] = Json::object(); },
       "processes: expected an array"},
      {"process not object", [](Json& j) { j["processes"][2] = 7; },
       "processes[2]: expected an object"},
      {"pid zero", [](Json& j) { j["processes"][3]["pid"] = 0; },
       "processes[3].pid: expected a positive integer"},
      {"pid negative", [](Json& j) { j["processes"][3]["pid"] = -4; },
       "processes[3].pid: expected a positive integer"},
      {"pid string", [](Json& j) { j["processes"][3]["pid"] = "4"; },
       "processes[3].pid: expected a positive integer"},
      {"pid float", [](Json& j) { j["processes"][3]["pid"] = 4.0; },
       "processes[3].pid: expected a positive integer"},
      {"pid huge", [](Json& j) { j["processes"][3]["pid"] = 1ULL << 40; },
       "processes[3].pid: expected a positive integer"},
      {"no pid", [](Json& j) { j["processes"][1].erase("pid"); }, "processes[1].pid: required"},
      {"no name", [](Json& j) { j["processes"][1].erase("name"); }, "processes[1].name: required"},
      {"no user", [](Json& j) { j["processes"][1].erase("user"); }, "processes[1].user: required"},
      {"uid negative", [](Json& j) { j["processes"][0]["uid"] = -1; },
       "processes[0].uid: expected a non-negative integer"},
      {"rss string", [](Json& j) { j["processes"][0]["rss_bytes"] = "1"; },
       "processes[0].rss_bytes: expected a non-negative integer"},
      {"started_at bad", [](Json& j) { j["processes"][0]["started_at"] = 5; },
       "processes[0].started_at: expected a string"},
      {"no sessions", [](Json& j) { j.erase("sessions"); }, "sessions: required"},
      {"session no tty", [](Json& j) { j["sessions"][1].erase("tty"); },
       "sessions[1].tty: required"},
      {"session no user", [](Json& j) { j["sessions"][0].erase("user"); },
       "sessions[0].user: required"},
      {"session pid zero", [](Json& j) { j["sessions"][0]["pid"] = 0; },
       "sessions[0].pid: expected a positive integer"},
      {"string over 4096", [](Json& j) { j["processes"][2]["command"] = std::string(4097, 'x'); },
       "processes[2].command: string longer than 4096 bytes"},
      {"unknown string over 4096",
       [](Json& j) {
         j["extra"] = {{"blob", std::string(5000, 'x')}};
       },
       "extra.blob: string longer than 4096 bytes"},
      {"multibyte over 4096",
       [](Json& j) {
         std::string s;
         for (int i = 0; i < 1366; ++i) s += "\xE2\x82\xAC";  // 4098 bytes, 1366 characters
         j["os"]["name"] = s;
       },
       "os.name: string longer than 4096 bytes"},
  };
  for (const auto& c : cases) {
    Json j = baseReport();
    c.mutate(j);
    auto r = validateReport(j);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().message, c.expected_error) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.name;
  }
}

TEST(Validate, CountLimits) {
  Json j = baseReport();
  j["processes"] = Json::array();
  for (std::size_t i = 0; i <= kMaxProcesses; ++i) {
    j["processes"].push_back({{"pid", 1}, {"name", "x"}, {"user", "u"}});
  }
  auto r = validateReport(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "processes: more than 100000 items");
  j["processes"].erase(j["processes"].size() - 1);
  EXPECT_TRUE(validateReport(j).ok());

  Json s = baseReport();
  s["sessions"] = Json::array();
  for (std::size_t i = 0; i <= kMaxSessions; ++i)
    s["sessions"].push_back({{"user", "u"}, {"tty", ""}});
  auto rs = validateReport(s);
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(rs.error().message, "sessions: more than 10000 items");
}

TEST(ParseJson, RejectsMalformedTruncatedAndInvalidUtf8) {
  const std::string good = baseReport().dump();
  EXPECT_TRUE(parseAndValidate(good).ok());
  for (std::size_t cut : {0ul, 1ul, good.size() / 2, good.size() - 1}) {
    auto r = parseJson(good.substr(0, cut));
    EXPECT_FALSE(r.ok()) << cut;
  }
  auto bad_utf8 = parseJson("{\"a\": \"caf\xC3\"}");
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_NE(bad_utf8.error().message.find("UTF-8"), std::string::npos) << bad_utf8.error().message;
  EXPECT_FALSE(parseJson("{\"a\": 1} trailing").ok());
  EXPECT_FALSE(parseJson("{'a': 1}").ok());
  for (const char* bad : {"", "{", "hello"}) {
    auto r = parseJson(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.rfind("parse error: ", 0), 0u) << r.error().message;
  }
}

TEST(ParseJson, IntegersBeyond64BitsAreRefused) {
  auto r = parseJson(R"({"schema_version": 1, "x": 123456789012345678901234567890})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("number overflow"), std::string::npos) << r.error().message;
}

TEST(Validate, ServerReceiptIsAllowedOnlyWhenAsked) {
  Json j = baseReport();
  j["server"] = {{"received_at", "2026-11-22T10:13:22Z"}, {"source_addr", "10.0.0.5"}};
  EXPECT_FALSE(parseAndValidate(j.dump()).ok());
  EXPECT_TRUE(parseAndValidate(j.dump(), {.allow_server_receipt = true}).ok());
}

TEST(ParseJson, NumbersTooLargeForADoubleAreAnErrorNotACrash) {
  // Found by the fuzzer: nlohmann throws out_of_range.406 even with allow_exceptions=false.
  for (const char* text :
       {"{\"a\": 1e999}", "[-1e400]", "{\"agent\": {\"collect_ms\": 5e06720}}"}) {
    auto r = parseJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("number overflow"), std::string::npos) << r.error().message;
  }
}

TEST(ParseJson, RejectsDuplicateKeys) {
  auto r = parseJson(R"({"a": 1, "b": {"c": 1, "c": 2}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "duplicate key \"c\"");
  auto other_objects = parseJson(R"({"a": {"c": 1}, "b": {"c": 2}})");
  ASSERT_FALSE(other_objects.ok());
  EXPECT_EQ(other_objects.error().message, "schema_version: required")
      << "same key, other objects: no duplicate";
}

// Objects of up to 16 fields are checked through a copy of their keys, larger ones through a
// set: a duplicate is found at either end of both.
TEST(ParseJson, RejectsDuplicateKeysInSmallAndLargeObjects) {
  for (const int fields : {2, 16, 17, 40}) {
    for (const bool at_start : {true, false}) {
      std::string object = "{";
      for (int i = 0; i < fields; ++i) {
        object += (i ? ", \"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
      }
      object += at_start ? ", \"k0\": 0}" : ", \"k" + std::to_string(fields - 1) + "\": 0}";
      auto r = parseJson(R"({"schema_version": 1, "x": )" + object + "}");
      ASSERT_FALSE(r.ok()) << object;
      EXPECT_EQ(r.error().message.rfind("duplicate key \"k", 0), 0u) << r.error().message;
    }
  }
}

// The reader looks fields up starting after the previous match (the agent's order is the fast
// case) and through the tape for objects of more than 16 fields: any order, and any number of
// unknown fields around the known ones, reads the same process.
TEST(Validate, AProcessReadsTheSameInAnyKeyOrderAndAmongManyUnknownFields) {
  const std::vector<std::string> fields = {R"("pid": 42)",
                                           R"("ppid": 1)",
                                           R"("name": "nginx")",
                                           R"("user": "www")",
                                           R"("uid": 33)",
                                           R"("state": "S")",
                                           R"("command": "nginx: worker")",
                                           R"("started_at": "2026-11-22T09:00:00+01:00")",
                                           R"("rss_bytes": 4096)",
                                           R"("cpu_seconds": 0.5)"};
  auto reportWith = [](const std::string& process) {
    return R"({"schema_version": 1, "report_id": "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41",
      "collected_at": "2026-11-22T10:13:21Z", "host": {"hostname": "h", "ip": "10.0.0.5"},
      "os": {"name": "n", "version": "v"}, "cpu": {"model": "m"}, "sessions": [],
      "processes": [)" +
           process + "]}";
  };
  auto join = [](const std::vector<std::string>& parts) {
    std::string out = "{";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out + "}";
  };
  std::vector<std::string> reversed(fields.rbegin(), fields.rend());
  std::vector<std::string> rotated = fields;
  std::rotate(rotated.begin(), rotated.begin() + 4, rotated.end());
  std::vector<std::string> among_unknown;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    among_unknown.push_back(R"("x)" + std::to_string(i) + R"(": {"pid": 0})");
    among_unknown.push_back(fields[i]);
  }
  for (const auto& order : {fields, reversed, rotated, among_unknown}) {
    const std::string process = join(order);
    auto r = parseAndValidate(reportWith(process));
    ASSERT_TRUE(r.ok()) << process << ": " << r.error().message;
    const Process& p = r->report.processes.at(0);
    EXPECT_EQ(p.pid, 42) << process;
    EXPECT_EQ(p.ppid, 1) << process;
    EXPECT_EQ(p.name, "nginx") << process;
    EXPECT_EQ(p.user, "www") << process;
    EXPECT_EQ(p.uid, 33) << process;
    EXPECT_EQ(p.state, "S") << process;
    EXPECT_EQ(p.command, "nginx: worker") << process;
    EXPECT_EQ(p.started_at, "2026-11-22T08:00:00Z") << process;
    EXPECT_EQ(p.rss_bytes, 4096) << process;
    EXPECT_EQ(p.cpu_seconds, 0.5) << process;
  }
  // Optional fields left out, in a shuffled order: absent, not taken from a neighbour.
  auto sparse = parseAndValidate(reportWith(R"({"user": "u", "pid": 7, "name": "n"})"));
  ASSERT_TRUE(sparse.ok()) << sparse.error().message;
  const Process& p = sparse->report.processes.at(0);
  EXPECT_EQ(p.pid, 7);
  EXPECT_FALSE(p.ppid || p.uid || p.state || p.command || p.started_at || p.rss_bytes ||
               p.cpu_seconds);
}

TEST(ParseJson, RejectsDeepNestingWithoutCrashing) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto r = parseJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "JSON nested deeper than 32 levels");
  const std::string ok_depth = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  auto at_limit = parseJson(ok_depth);
  ASSERT_FALSE(at_limit.ok());
  EXPECT_EQ(at_limit.error().message, "report: expected an object")
      << "parsed, then refused as a report";
  const std::string too_deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(parseJson(too_deep).error().message, "JSON nested deeper than 32 levels");
}

TEST(ParseJson, AcceptsUnknownFieldsAnywhere) {
  auto r = parseAndValidate(R"({"zeta": 1, "schema_version": 1,
    "report_id": "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41", "collected_at": "2026-11-22T10:13:21Z",
    "host": {"hostname": "h", "ip": "10.0.0.5", "x": [1]}, "os": {"name": "n", "version": "v"},
    "cpu": {"model": "m"}, "processes": [], "sessions": [], "alpha": {"b": true}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->report.host.ip, "10.0.0.5");
}

TEST(Validate, FixtureReportsAreValid) {
  for (const char* name : {"valid_full.json", "valid_minimal.json"}) {
    std::ifstream in(std::string(VIGIA_FIXTURES_DIR) + "/reports/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parseAndValidate(ss.str());
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
  }
}

TEST(ToJson, RoundTripsThroughTheValidator) {
  auto first = validateReport(baseReport());
  ASSERT_TRUE(first.ok());
  auto second = validateReport(toJson(*first));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(toJson(*second), toJson(*first));
  EXPECT_FALSE(toJson(*first)["processes"][1].contains("command")) << "absent stays absent";
}

}  // namespace
}  // namespace vigia::common
