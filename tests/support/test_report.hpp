#pragma once

// A valid report for end-to-end tests, shaped by a few knobs. Process commands hold a comma,
// quotes and a newline, so every report also exercises CSV quoting.

#include <nlohmann/json.hpp>
#include <string>

#include "common/identifiers.hpp"

namespace vigia::test {

struct TestReportSpec {
  std::string ip = "10.0.0.5";
  std::string collected_at = "2026-11-22T10:13:21.123Z";
  int processes = 1;
  int sessions = 0;
  std::string report_id = common::newUuidV4();
};

inline nlohmann::json testReport(const TestReportSpec& spec = {}) {
  nlohmann::json r = {{"schema_version", 1},
                      {"report_id", spec.report_id},
                      {"collected_at", spec.collected_at},
                      {"host", {{"hostname", "web-01"}, {"ip", spec.ip}}},
                      {"os", {{"name", "Debian GNU/Linux"}, {"version", "12 (bookworm)"}}},
                      {"cpu", {{"model", "test cpu"}}},
                      {"processes", nlohmann::json::array()},
                      {"sessions", nlohmann::json::array()}};
  for (int i = 1; i <= spec.processes; ++i) {
    r["processes"].push_back({{"pid", i},
                              {"name", "p" + std::to_string(i)},
                              {"user", "root"},
                              {"command", "/bin/p --x=\"a,b\"\n" + std::to_string(i)}});
  }
  for (int i = 0; i < spec.sessions; ++i)
    r["sessions"].push_back({{"user", "u"}, {"tty", "pts/0"}});
  return r;
}

}  // namespace vigia::test
