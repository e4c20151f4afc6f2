#include "common/report_json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "common/validate.hpp"

namespace vigia::common {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(VIGIA_FIXTURES_DIR) + "/reports/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Both readers of a report agree on what it says.
void expectSameReport(const Report& a, const Report& b) {
  EXPECT_EQ(toJson(a).dump(), toJson(b).dump());
}

TEST(ReportFromJson, ReadsWhatTheValidatorReads) {
  for (const char* name : {"valid_full.json", "valid_minimal.json"}) {
    const std::string text = fixture(name);
    auto validated = parseAndValidate(text);
    ASSERT_TRUE(validated) << name << ": " << validated.error().message;
    auto read = reportFromJson(text);
    ASSERT_TRUE(read) << name << ": " << read.error().message;
    // Times other than collected_at are kept as written; the fixtures spell them canonically
    // except valid_minimal's collected_at, which both keep as received.
    read->collected_at = validated->report.collected_at;
    expectSameReport(*read, validated->report);
  }
}

TEST(ReportFromJson, RoundTripsTheAgentsOutputAndIgnoresTheServerReceipt) {
  auto read = reportFromJson(fixture("valid_full.json"));
  ASSERT_TRUE(read);
  Json stored = toJson(*read);
  stored["server"] = {{"received_at", "2026-11-22T13:38:54Z"}, {"source_addr", "10.0.0.5"}};
  auto again = reportFromJson(stored.dump());
  ASSERT_TRUE(again) << again.error().message;
  expectSameReport(*again, *read);
}

TEST(ReportFromJson, CanonicalIdentityAndErrorsNamingTheField) {
  auto minimal = reportFromJson(fixture("valid_minimal.json"));
  ASSERT_TRUE(minimal);
  EXPECT_EQ(minimal->host.ip, "10.0.0.7");  // ::ffff:10.0.0.7 as the server stores it

  Json base = Json::parse(fixture("valid_minimal.json"));
  struct Case {
    const char* label;
    std::function<void(Json&)> change;
    const char* error;
  };
  const Case cases[] = {
      {"no host", [](Json& j) { j.erase("host"); }, "host: required"},
      {"no hostname", [](Json& j) { j["host"].erase("hostname"); }, "host.hostname: required"},
      {"bad ip", [](Json& j) { j["host"]["ip"] = "web-01"; }, "host.ip: expected an IPv4"},
      {"os not an object", [](Json& j) { j["os"] = 1; }, "os: expected an object"},
      {"bad version_id", [](Json& j) { j["os"]["version_id"] = 12; },
       "os.version_id: expected a string"},
      {"schema", [](Json& j) { j["schema_version"] = 2; }, "schema_version: expected 1"},
      {"report id", [](Json& j) { j["report_id"] = "x"; }, "report_id: expected a UUID"},
      {"collected_at", [](Json& j) { j["collected_at"] = "today"; }, "collected_at: "},
      {"processes", [](Json& j) { j.erase("processes"); }, "processes: required"},
      {"pid", [](Json& j) { j["processes"] = Json::parse(R"([{"pid":0,"name":"a","user":"b"}])"); },
       "processes[0].pid: expected a positive integer"},
      {"uid",
       [](Json& j) {
         j["processes"] = Json::parse(R"([{"pid":3,"name":"a","user":"b","uid":-1}])");
       },
       "processes[0].uid: expected a non-negative integer"},
      {"session", [](Json& j) { j["sessions"] = Json::parse(R"([{"user":"a"}])"); },
       "sessions[0].tty: required"},
      {"session item", [](Json& j) { j["sessions"] = Json::parse("[3]"); },
       "sessions[0]: expected an object"},
  };
  for (const auto& c : cases) {
    Json j = base;
    c.change(j);
    auto read = reportFromJson(j.dump());
    ASSERT_FALSE(read) << c.label;
    EXPECT_EQ(read.error().message.rfind(c.error, 0), 0u)
        << c.label << ": " << read.error().message;
  }
  EXPECT_EQ(reportFromJson("{").error().message, "not valid JSON");
  EXPECT_EQ(reportFromJson("[]").error().message, "expected a JSON object");
}

}  // namespace
}  // namespace vigia::common
