#include "server/storage/sinks/jsonl_line.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigia::server {
namespace {

using nlohmann::ordered_json;

TEST(JsonlLine, AppendsTheReceiptOnOneLineKeepingTheBody) {
  const auto received = *common::parseRfc3339("2026-11-22T10:13:22.5Z");
  const char* bodies[] = {
      "{\"a\": 1, \"b\": \"x\\ny\"}",
      "{\n  \"a\": 1,\r\n  \"b\": \"x\\ny\"\n}\n",
      "  {\"a\":1,\"b\":\"x\\ny\"}  ",
  };
  for (const char* body : bodies) {
    const std::string line = makeJsonlLine(body, received, "10.0.0.9");
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
    ordered_json parsed = ordered_json::parse(line);
    EXPECT_EQ(parsed["server"]["received_at"], "2026-11-22T10:13:22.500Z");
    EXPECT_EQ(parsed["server"]["source_addr"], "10.0.0.9");
    EXPECT_EQ(std::prev(parsed.end()).key(), "server") << "receipt comes last";
    parsed.erase("server");
    EXPECT_EQ(parsed, ordered_json::parse(body));
    EXPECT_EQ(parsed["b"], "x\ny") << "escaped newlines inside strings are untouched";
  }
}

TEST(JsonlLine, NumbersAndEscapesStayAsSent) {
  const std::string line =
      makeJsonlLine("{\"mhz\": 2200.0, \"s\": \"\\u00e9\"}", common::Timestamp{}, "::1");
  EXPECT_NE(line.find("\"mhz\": 2200.0"), std::string::npos) << line;
  EXPECT_NE(line.find("\\u00e9"), std::string::npos) << line;
}

TEST(JsonlLine, EmptyObject) {
  EXPECT_EQ(makeJsonlLine("{}", common::Timestamp{}, "::1"),
            "{\"server\":{\"received_at\":\"1970-01-01T00:00:00Z\",\"source_addr\":\"::1\"}}\n");
}

}  // namespace
}  // namespace vigia::server
