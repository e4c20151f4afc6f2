#include "common/redaction.hpp"

#include <gtest/gtest.h>

namespace vigia::common {
namespace {

struct Case {
  const char* command;
  const char* redacted;
};

// Every default form of docs/cli.md, and what must stay as it is.
const Case kDefaults[] = {
    {"mysql --password=hunter2 -u root", "mysql --password=*** -u root"},
    {"mysql --password hunter2 -u root", "mysql --password *** -u root"},
    {"app -password=x", "app -password=***"},
    {"app --PASSWORD=Hunter2", "app --PASSWORD=***"},
    {"app --passwd=a --pass b --pwd=c", "app --passwd=*** --pass *** --pwd=***"},
    {"vault login --secret=s3cr3t", "vault login --secret=***"},
    {"cli --token abc.def.ghi", "cli --token ***"},
    {"aws --api-key=AKIA1 --api_key AKIA2 --access-key=K3",
     "aws --api-key=*** --api_key *** --access-key=***"},
    {"curl https://alice:pa55@example.com/x", "curl https://alice:***@example.com/x"},
    {"git clone https://:tok@github.com/x.git", "git clone https://:***@github.com/x.git"},
    {"psql postgresql://app:p%40ss@db:5432/app", "psql postgresql://app:***@db:5432/app"},
    {"env DB_PASSWORD=x API_TOKEN=y AWS_SECRET=z run",
     "env DB_PASSWORD=*** API_TOKEN=*** AWS_SECRET=*** run"},
    {"run api_token=lower", "run api_token=***"},
    // Untouched.
    {"ssh -p 22 host", "ssh -p 22 host"},
    {"nginx: worker process", "nginx: worker process"},
    {"app --compress zstd --passive", "app --compress zstd --passive"},
    {"app --password", "app --password"},
    {"curl https://example.com/user@x", "curl https://example.com/user@x"},
    {"cat /etc/passwd", "cat /etc/passwd"},
    {"PASS_FILE=/run/x app", "PASS_FILE=/run/x app"},
    {"", ""},
};

TEST(CommandRedactor, DefaultFormsAreMaskedAndTheRestIsLeftAlone) {
  auto redactor = CommandRedactor::make(true);
  ASSERT_TRUE(redactor);
  for (const auto& c : kDefaults) EXPECT_EQ(redactor->redact(c.command), c.redacted) << c.command;
}

TEST(CommandRedactor, ExtraPatternsMaskEachGroupOrTheWholeMatch) {
  auto redactor = CommandRedactor::make(
      true, {R"(-k\s+(\S+))", R"(sk_live_[A-Za-z0-9]+)", R"(user=(\w+):(\w+))"});
  ASSERT_TRUE(redactor) << redactor.error().message;
  EXPECT_EQ(redactor->redact("tool -k KEY -v"), "tool -k *** -v");
  EXPECT_EQ(redactor->redact("pay sk_live_abc123 now"), "pay *** now");
  EXPECT_EQ(redactor->redact("x user=ann:pw"), "x user=***:***");
  EXPECT_EQ(redactor->redact("mysql --password=a"), "mysql --password=***") << "defaults stay";
}

TEST(CommandRedactor, OffChangesNothingButABadPatternIsStillAnError) {
  auto off = CommandRedactor::make(false);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->redact("mysql --password=a"), "mysql --password=a");
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"(unclosed"},
                                              {"ok", "a{2,1}"},
                                              std::vector<std::string>(65, "x"),
                                              {std::string(1025, 'a')}}) {
    auto r = CommandRedactor::make(false, bad);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("redact_patterns"), std::string::npos) << r.error().message;
  }
}

TEST(CommandRedactor, AReportKeepsItsLengthLimit) {
  auto redactor = CommandRedactor::make(true, {"(a)"});  // every "a" grows into "***"
  ASSERT_TRUE(redactor);
  Report report;
  Process p;
  p.command = std::string(kMaxStringBytes, 'a');
  report.processes.push_back(p);
  report.processes.push_back(Process{});  // no command at all
  redactor->apply(report);
  ASSERT_TRUE(report.processes[0].command);
  EXPECT_EQ(report.processes[0].command->size(), kMaxStringBytes);
  EXPECT_EQ(report.processes[0].command->substr(0, 6), "******");
  EXPECT_FALSE(report.processes[1].command);
}

}  // namespace
}  // namespace vigia::common
