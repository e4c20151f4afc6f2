#include "server/storage/sinks/csv_rows.hpp"

#include <gtest/gtest.h>

#include "common/validate.hpp"

namespace vigia::server {
namespace {

struct CellCase {
  const char* in;
  bool guard;
  const char* out;
};

TEST(CsvCell, QuotingAndFormulaGuard) {
  const CellCase cases[] = {
      {"plain", true, "plain"},
      {"", true, ""},
      {"a,b", true, "\"a,b\""},
      {"say \"hi\"", true, "\"say \"\"hi\"\"\""},
      {"two\nlines", true, "\"two\nlines\""},
      {"cr\rinside", true, "\"cr\rinside\""},
      {"=SUM(A1:A2)", true, "'=SUM(A1:A2)"},
      {"=SUM(A1:A2)", false, "=SUM(A1:A2)"},
      {"+1", true, "'+1"},
      {"-bash", true, "'-bash"},
      {"-bash", false, "-bash"},
      {"@cmd", true, "'@cmd"},
      {"\tx", true, "'\tx"},
      {"\rx", true, "\"'\rx\""},
      {"=HYPERLINK(\"x\",\"y\")", true, "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
      {"caf\xC3\xA9 \xE2\x82\xAC", true, "caf\xC3\xA9 \xE2\x82\xAC"},
      {"a=b", true, "a=b"},
  };
  for (const auto& c : cases) {
    std::string out;
    appendCsvCell(c.in, c.guard, out);
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(CsvRows, HostProcessAndSessionRowsInOrder) {
  auto v = common::parseAndValidate(R"json({
    "schema_version": 1, "report_id": "3F1C6A52-6A0E-4E8A-9D3B-1F2A0C9B7E41",
    "collected_at": "2026-11-22T12:13:21.123+02:00",
    "host": {"hostname": "web-01", "ip": "::ffff:10.0.0.5"},
    "os": {"name": "Debian GNU/Linux", "version": "12 (bookworm)", "kernel": "6.1.0", "arch": "x86_64"},
    "cpu": {"vendor": "GenuineIntel", "model": "Xeon, 2.2GHz", "cores": 2, "threads": 4},
    "processes": [{"pid": 1, "ppid": 0, "name": "systemd", "user": "root", "command": "/sbin/init"},
                  {"pid": 42, "name": "bash", "user": "alice", "command": "-bash"}],
    "sessions": [{"user": "alice", "tty": "pts/0", "remote_host": "192.168.1.10",
                  "login_time": "2026-11-22T09:00:00Z", "pid": 42}]})json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::string out;
  appendCsvRows(v->report, true, out);
  const std::string prefix =
      "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41,2026-11-22T10:13:21.123Z,10.0.0.5,web-01,";
  EXPECT_EQ(out, prefix +
                     "host,,,,,,,,,Debian GNU/Linux,12 "
                     "(bookworm),6.1.0,x86_64,GenuineIntel,\"Xeon, 2.2GHz\",2,4\n" +
                     prefix + "process,1,0,root,systemd,/sbin/init,,,,,,,,,,,\n" + prefix +
                     "process,42,,alice,bash,'-bash,,,,,,,,,,,\n" + prefix +
                     "session,42,,alice,,,pts/0,192.168.1.10,2026-11-22T09:00:00Z,,,,,,,,\n");
}

TEST(CsvRows, TheCellsEveryRowRepeatsAreQuotedAndGuardedInEveryRow) {
  auto v = common::parseAndValidate(R"json({
    "schema_version": 1, "report_id": "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41",
    "collected_at": "2026-11-22T10:13:21.123Z",
    "host": {"hostname": "=HYPERLINK(\"x\"),1", "ip": "10.0.0.5"},
    "os": {"name": "Debian GNU/Linux", "version": "12"},
    "cpu": {"model": "Xeon"},
    "processes": [{"pid": 1, "name": "init", "user": "root"},
                  {"pid": 2, "name": "kthreadd", "user": "root"}],
    "sessions": []})json");
  ASSERT_TRUE(v.ok()) << v.error().message;
  for (const bool guard : {true, false}) {
    std::string out;
    appendCsvRows(v->report, guard, out);
    const std::string prefix =
        std::string("3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41,") +
        "2026-11-22T10:13:21.123Z,10.0.0.5," +
        (guard ? "\"'=HYPERLINK(\"\"x\"\"),1\"," : "\"=HYPERLINK(\"\"x\"\"),1\",");
    EXPECT_EQ(out, prefix + "host,,,,,,,,,Debian GNU/Linux,12,,,,Xeon,,\n" + prefix +
                       "process,1,,root,init,,,,,,,,,,,,\n" + prefix +
                       "process,2,,root,kthreadd,,,,,,,,,,,,\n")
        << "formula guard " << guard;
  }
}

TEST(CsvHeader, MatchesTheSpec) {
  EXPECT_EQ(kCsvHeader,
            "report_id,collected_at,server_ip,hostname,record,pid,ppid,user,name,command,tty,"
            "remote_host,login_time,os_name,os_version,kernel,arch,cpu_vendor,cpu_model,cpu_cores,"
            "cpu_threads\n");
}

}  // namespace
}  // namespace vigia::server
