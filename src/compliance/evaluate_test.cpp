#include "compliance/evaluate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace vigia::compliance {
namespace {

using common::Process;
using common::Report;
using common::Session;

Process proc(std::int64_t pid, std::int64_t ppid, std::string name, std::string user,
             std::optional<std::int64_t> uid, std::optional<std::string> command) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.name = std::move(name);
  p.user = std::move(user);
  p.uid = uid;
  p.command = std::move(command);
  return p;
}

Session sess(std::string user, std::string tty, std::optional<std::string> remote_host,
             std::int64_t pid = 0) {
  Session s;
  s.user = std::move(user);
  s.tty = std::move(tty);
  s.remote_host = std::move(remote_host);
  s.login_time = "2026-11-22T09:00:00Z";
  if (pid) s.pid = pid;
  return s;
}

// A small Debian 12 web server.
Report baseReport() {
  Report r;
  r.report_id = "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41";
  r.collected_at = "2026-11-22T10:00:00Z";
  r.host.hostname = "web-01";
  r.host.ip = "10.0.0.5";
  r.os.name = "Debian GNU/Linux";
  r.os.version = "12 (bookworm)";
  r.os.id = "debian";
  r.os.version_id = "12";
  r.os.kernel = "6.1.0-13-amd64";
  r.os.arch = "x86_64";
  r.cpu.model = "AMD EPYC";
  r.processes = {
      proc(1, 0, "systemd", "root", 0, "/sbin/init"),
      proc(2, 0, "kthreadd", "root", 0, "[kthreadd]"),
      proc(410, 1, "sshd", "root", 0, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
      proc(500, 1, "nginx", "root", 0, "nginx: master process /usr/sbin/nginx"),
      proc(501, 500, "nginx", "www-data", 33, "nginx: worker process"),
      proc(600, 1, "cron", "root", 0, "/usr/sbin/cron -f"),
      proc(700, 410, "sshd", "alice", 1000, "sshd: alice@pts/0"),
      proc(701, 700, "bash", "alice", 1000, "-bash"),
  };
  r.sessions = {sess("alice", "pts/0", "192.168.1.10", 701)};
  return r;
}

std::shared_ptr<const Policy> policyOf(const std::string& text) {
  const PolicySource sources[] = {{"test.toml", text}};
  auto parsed = Policy::parse(sources);
  if (auto* e = std::get_if<PolicyError>(&parsed)) {
    ADD_FAILURE() << e->message();
    return nullptr;
  }
  return std::get<std::shared_ptr<const Policy>>(parsed);
}

std::string oneRule(const std::string& lines) {
  return "[[rules]]\nid = \"r\"\ntitle = \"t\"\nseverity = \"high\"\n" + lines + "\n";
}

struct Case {
  const char* label;
  std::string rule;  // the rule's lines after id, title and severity
  std::function<void(Report&)> change;
  Status status;
  const char* evidence;  // exact compact JSON, or nullptr not to compare
};

void nothing(Report&) {}

void runTable(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    auto policy = policyOf(oneRule(c.rule));
    ASSERT_TRUE(policy) << c.label;
    Report report = baseReport();
    c.change(report);
    const auto verdicts = evaluate(*policy, report);
    ASSERT_EQ(verdicts.size(), 1u) << c.label;
    EXPECT_EQ(toString(verdicts[0].status), toString(c.status)) << c.label;
    if (c.evidence) {
      EXPECT_EQ(verdicts[0].evidence, c.evidence) << c.label;
    }
    EXPECT_FALSE(verdicts[0].waiver) << c.label;
  }
}

TEST(Evaluate, ProcessChecksAndEveryMatcherKey) {
  const auto pass = Status::kPass;
  const auto fail = Status::kFail;
  runTable({
      {"name present", "require_process = { name = \"sshd\" }", nothing, pass, "[]"},
      {"name absent", "require_process = { name = \"auditd\" }", nothing, fail, "[]"},
      {"name is exact", "require_process = { name = \"ssh\" }", nothing, fail, "[]"},
      {"name list", "require_process = { name = [\"chronyd\", \"cron\"] }", nothing, pass, "[]"},
      {"empty process list", "require_process = { name = \"sshd\" }",
       [](Report& r) { r.processes.clear(); }, fail, "[]"},
      {"forbid on empty process list", "forbid_process = { name = \"sshd\" }",
       [](Report& r) { r.processes.clear(); }, pass, "[]"},
      {"user", "require_process = { name = \"sshd\", user = \"root\" }", nothing, pass, "[]"},
      {"name and user combine with AND", "require_process = { name = \"cron\", user = \"alice\" }",
       nothing, fail, "[]"},
      {"user list", "require_process = { name = \"nginx\", user = [\"nobody\", \"www-data\"] }",
       nothing, pass, "[]"},
      {"user_not", "forbid_process = { name = \"nginx\", user_not = [\"root\", \"www-data\"] }",
       nothing, pass, "[]"},
      {"user_not string", "forbid_process = { name = \"nginx\", user_not = \"root\" }", nothing,
       fail, R"([{"pid":501,"name":"nginx","user":"www-data","command":"nginx: worker process"}])"},
      {"uid", "require_process = { name = \"bash\", uid = 1000 }", nothing, pass, "[]"},
      {"uid mismatch", "require_process = { name = \"bash\", uid = 0 }", nothing, fail, "[]"},
      {"uid absent never matches", "require_process = { uid = 0 }",
       [](Report& r) {
         for (auto& p : r.processes) p.uid.reset();
       },
       fail, "[]"},
      {"name_regex matches anywhere", "require_process = { name_regex = 'ron' }", nothing, pass,
       "[]"},
      {"name_regex anchored", "require_process = { name_regex = '^ron' }", nothing, fail, "[]"},
      {"command_regex", "require_process = { command_regex = '^sshd: /usr/sbin/sshd' }", nothing,
       pass, "[]"},
      {"command_regex without a command", "forbid_process = { command_regex = '.' }",
       [](Report& r) {
         for (auto& p : r.processes) p.command.reset();
       },
       pass, "[]"},
      {"command_contains", "require_process = { command_contains = \"master process\" }", nothing,
       pass, "[]"},
      {"command_contains is not a regex", "require_process = { command_contains = \"master.*\" }",
       nothing, fail, "[]"},
      {"parent_name", "require_process = { name = \"bash\", parent_name = \"sshd\" }", nothing,
       pass, "[]"},
      {"parent_name list",
       "forbid_process = { name = \"nginx\", parent_name = [\"nginx\", \"x\"] }", nothing, fail,
       R"([{"pid":501,"name":"nginx","user":"www-data","command":"nginx: worker process"}])"},
      {"parent_name mismatch", "require_process = { name = \"bash\", parent_name = \"nginx\" }",
       nothing, fail, "[]"},
      {"parent absent from the report",
       "forbid_process = { name = \"bash\", parent_name = \"sshd\" }",
       [](Report& r) { r.processes[6].pid = 7000; }, pass, "[]"},
      {"no ppid", "forbid_process = { name = \"bash\", parent_name = \"sshd\" }",
       [](Report& r) { r.processes[7].ppid.reset(); }, pass, "[]"},
      {"parent found in an unsorted report",
       "forbid_process = { name = \"bash\", parent_name = \"sshd\" }",
       [](Report& r) { std::reverse(r.processes.begin(), r.processes.end()); }, fail,
       R"([{"pid":701,"name":"bash","user":"alice","command":"-bash"}])"},
      {"every key at once",
       "require_process = { name = \"sshd\", name_regex = '^ss', user = \"root\", user_not = "
       "\"nobody\", uid = 0, command_regex = '-D', command_contains = \"listener\", parent_name = "
       "\"systemd\" }",
       nothing, pass, "[]"},
      {"forbid evidence has a null command", "forbid_process = { name = \"cron\" }",
       [](Report& r) { r.processes[5].command.reset(); }, fail,
       R"([{"pid":600,"name":"cron","user":"root","command":null}])"},
      {"forbid lists every match in report order", "forbid_process = { user = \"alice\" }", nothing,
       fail,
       R"([{"pid":700,"name":"sshd","user":"alice","command":"sshd: alice@pts/0"},{"pid":701,"name":"bash","user":"alice","command":"-bash"}])"},
  });
}

TEST(Evaluate, SessionChecksAndEveryMatcherKey) {
  const auto pass = Status::kPass;
  const auto fail = Status::kFail;
  auto add = [](Session s) { return [s](Report& r) { r.sessions.push_back(s); }; };
  runTable({
      {"user", "require_session = { user = \"alice\" }", nothing, pass, "[]"},
      {"user absent", "require_session = { user = \"bob\" }", nothing, fail, "[]"},
      {"no sessions", "require_session = { user = \"alice\" }",
       [](Report& r) { r.sessions.clear(); }, fail, "[]"},
      {"forbid with no sessions", "forbid_session = { remote = true }",
       [](Report& r) { r.sessions.clear(); }, pass, "[]"},
      {"user_not", "forbid_session = { user_not = [\"alice\", \"bob\"] }", nothing, pass, "[]"},
      {"remote root", "forbid_session = { user = \"root\", remote = true }",
       add(sess("root", "pts/1", "203.0.113.7", 900)), fail,
       R"([{"user":"root","tty":"pts/1","remote_host":"203.0.113.7","login_time":"2026-11-22T09:00:00Z","pid":900}])"},
      {"local root is not remote", "forbid_session = { user = \"root\", remote = true }",
       add(sess("root", "tty1", std::nullopt)), pass, "[]"},
      {"an empty remote_host is local", "forbid_session = { user = \"root\", remote = true }",
       add(sess("root", "tty1", "")), pass, "[]"},
      {"remote = false", "forbid_session = { remote = false }", add(sess("root", "tty1", "")), fail,
       R"([{"user":"root","tty":"tty1","remote_host":"","login_time":"2026-11-22T09:00:00Z","pid":null}])"},
      {"tty_regex", "require_session = { tty_regex = '^pts/' }", nothing, pass, "[]"},
      {"tty_regex mismatch", "require_session = { tty_regex = '^tty' }", nothing, fail, "[]"},
      {"remote_host_not_in: inside the network",
       "forbid_session = { remote_host_not_in = [\"192.168.0.0/16\"] }", nothing, pass, "[]"},
      {"remote_host_not_in: outside", "forbid_session = { remote_host_not_in = [\"10.0.0.0/8\"] }",
       nothing, fail, nullptr},
      {"remote_host_not_in: a local session never matches",
       "forbid_session = { remote_host_not_in = [\"10.0.0.0/8\"] }",
       [](Report& r) {
         r.sessions = {sess("root", "tty1", std::nullopt), sess("bob", ":0", "")};
       },
       pass, "[]"},
      {"remote_host_not_in: a host name and a glob",
       "forbid_session = { remote_host_not_in = [\"10.0.0.0/8\", \"*.corp.example.com\"] }",
       [](Report& r) { r.sessions = {sess("bob", "pts/2", "VPN-1.corp.example.com")}; }, pass,
       "[]"},
      {"remote_host_not_in: a host name no glob names",
       "forbid_session = { remote_host_not_in = [\"10.0.0.0/8\", \"*.corp.example.com\"] }",
       [](Report& r) { r.sessions = {sess("bob", "pts/2", "evil.example.net")}; }, fail, nullptr},
      {"remote_host_not_in: IPv6", "forbid_session = { remote_host_not_in = [\"fd00::/8\"] }",
       [](Report& r) {
         r.sessions = {sess("bob", "pts/2", "fd12::7"), sess("eve", "pts/3", "2001:db8::1")};
       },
       fail,
       R"([{"user":"eve","tty":"pts/3","remote_host":"2001:db8::1","login_time":"2026-11-22T09:00:00Z","pid":null}])"},
      {"remote_host_not_in with user",
       "forbid_session = { user = \"bob\", remote_host_not_in = \"10.0.0.0/8\" }", nothing, pass,
       "[]"},
  });
}

TEST(Evaluate, MaxSessions) {
  auto two = [](Report& r) { r.sessions.push_back(sess("bob", "pts/1", std::nullopt, 800)); };
  runTable({
      {"at the limit", "max_sessions = 2", two, Status::kPass, "[]"},
      {"over it", "max_sessions = 1", two, Status::kFail,
       R"([{"user":"alice","tty":"pts/0","remote_host":"192.168.1.10","login_time":"2026-11-22T09:00:00Z","pid":701},{"user":"bob","tty":"pts/1","remote_host":null,"login_time":"2026-11-22T09:00:00Z","pid":800}])"},
      {"zero with none", "max_sessions = 0", [](Report& r) { r.sessions.clear(); }, Status::kPass,
       "[]"},
  });
}

TEST(Evaluate, OsKernelAndCpuChecksGiveTheFieldThatDecided) {
  const auto pass = Status::kPass;
  const auto fail = Status::kFail;
  const auto error = Status::kError;
  const char* supported =
      "require_os = [{ id = \"debian\", min_version = \"12\" }, { id = \"ubuntu\", min_version = "
      "\"22.04\" }]";
  auto os = [](const char* id, std::optional<std::string> version_id) {
    return [id, version_id](Report& r) {
      r.os.id = id;
      r.os.version_id = version_id;
    };
  };
  runTable({
      {"debian 12", supported, nothing, pass, "[]"},
      {"debian 13", supported, os("debian", "13"), pass, "[]"},
      {"debian 11", supported, os("debian", "11"), fail,
       R"([{"field":"os.version_id","value":"11"}])"},
      {"debian 9 is below 12", supported, os("debian", "9"), fail,
       R"([{"field":"os.version_id","value":"9"}])"},
      {"ubuntu 22.04", supported, os("ubuntu", "22.04"), pass, "[]"},
      {"ubuntu 22.10", supported, os("ubuntu", "22.10"), pass, "[]"},
      {"ubuntu 20.04", supported, os("ubuntu", "20.04"), fail,
       R"([{"field":"os.version_id","value":"20.04"}])"},
      {"centos", supported, os("centos", "9"), fail, R"([{"field":"os.id","value":"centos"}])"},
      {"no version_id", supported, os("debian", std::nullopt), error,
       R"([{"field":"os.version_id","value":null}])"},
      {"no version_id is fine without a version bound", "require_os = [{ id = \"debian\" }]",
       os("debian", std::nullopt), pass, "[]"},
      {"no os.id", supported, [](Report& r) { r.os.id.reset(); }, error,
       R"([{"field":"os.id","value":null}])"},
      {"max_version", "require_os = [{ id = \"debian\", max_version = \"11\" }]", nothing, fail,
       R"([{"field":"os.version_id","value":"12"}])"},
      {"max_version admits the versions it is a prefix of",
       "require_os = [{ id = \"debian\", max_version = \"12\" }]", os("debian", "12.5"), pass,
       "[]"},
      {"by name", "require_os = { name = \"Debian GNU/Linux\", min_version = \"11\" }", nothing,
       pass, "[]"},
      {"by name, another OS", "require_os = { name = \"Ubuntu\" }", nothing, fail,
       R"([{"field":"os.name","value":"Debian GNU/Linux"}])"},
      {"id and name both hold", "require_os = { id = \"debian\", name = \"Ubuntu\" }", nothing,
       fail,
       R"([{"field":"os.id","value":"debian"},{"field":"os.name","value":"Debian GNU/Linux"}])"},
      {"kernel min", "require_kernel = { min = \"6.1\" }", nothing, pass, "[]"},
      {"kernel below min", "require_kernel = { min = \"6.1\" }",
       [](Report& r) { r.os.kernel = "5.10.0-28-amd64"; }, fail,
       R"([{"field":"os.kernel","value":"5.10.0-28-amd64"}])"},
      {"kernel ABI below min", "require_kernel = { min = \"6.1.0-15\" }", nothing, fail,
       R"([{"field":"os.kernel","value":"6.1.0-13-amd64"}])"},
      {"kernel above max", "require_kernel = { min = \"5.10\", max = \"6.0\" }", nothing, fail,
       R"([{"field":"os.kernel","value":"6.1.0-13-amd64"}])"},
      {"kernel within max", "require_kernel = { max = \"6.1\" }", nothing, pass, "[]"},
      {"no kernel", "require_kernel = { min = \"6.1\" }", [](Report& r) { r.os.kernel.reset(); },
       error, R"([{"field":"os.kernel","value":null}])"},
      {"cpu arch", "require_cpu = { arch = [\"x86_64\", \"aarch64\"] }", nothing, pass, "[]"},
      {"cpu arch string", "require_cpu = { arch = \"aarch64\" }", nothing, fail,
       R"([{"field":"os.arch","value":"x86_64"}])"},
      {"no arch", "require_cpu = { arch = [\"x86_64\"] }", [](Report& r) { r.os.arch.reset(); },
       error, R"([{"field":"os.arch","value":null}])"},
  });
}

TEST(Evaluate, AppliesToCombinesKeysWithAndAndListsWithOr) {
  const auto pass = Status::kPass;
  const auto na = Status::kNotApplicable;
  const char* check = "require_process = { name = \"sshd\" }\n";
  auto rule = [&](const char* applies) { return std::string(check) + "applies_to = " + applies; };
  runTable({
      {"os_id", rule("{ os_id = \"debian\" }"), nothing, pass, "[]"},
      {"os_id list", rule("{ os_id = [\"ubuntu\", \"debian\"] }"), nothing, pass, "[]"},
      {"os_id other", rule("{ os_id = \"ubuntu\" }"), nothing, na, "[]"},
      {"os_id absent from the report", rule("{ os_id = \"debian\" }"),
       [](Report& r) { r.os.id.reset(); }, na, "[]"},
      {"hostname glob", rule("{ hostname = \"web-*\" }"), nothing, pass, "[]"},
      {"hostname list", rule("{ hostname = [\"db-*\", \"WEB-0?\"] }"), nothing, pass, "[]"},
      {"hostname other", rule("{ hostname = \"db-*\" }"), nothing, na, "[]"},
      {"ip", rule("{ ip = \"10.0.0.0/24\" }"), nothing, pass, "[]"},
      {"ip list", rule("{ ip = [\"172.16.0.0/12\", \"10.0.0.5\"] }"), nothing, pass, "[]"},
      {"ip other", rule("{ ip = [\"172.16.0.0/12\"] }"), nothing, na, "[]"},
      {"ip v6 host", rule("{ ip = \"fd00::/8\" }"), [](Report& r) { r.host.ip = "fd00::5"; }, pass,
       "[]"},
      {"all keys hold", rule("{ os_id = \"debian\", hostname = \"web-*\", ip = \"10.0.0.0/8\" }"),
       nothing, pass, "[]"},
      {"one key fails", rule("{ os_id = \"debian\", hostname = \"db-*\", ip = \"10.0.0.0/8\" }"),
       nothing, na, "[]"},
      {"an empty applies_to is every host", rule("{}"), nothing, pass, "[]"},
      {"not_applicable wins over what would fail", rule("{ os_id = \"ubuntu\" }"),
       [](Report& r) { r.processes.clear(); }, na, "[]"},
  });
}

TEST(Evaluate, EvidenceIsCappedAtTwentyEntries) {
  auto policy = policyOf(oneRule("forbid_process = { name = \"xmrig\" }") +
                         "[[rules]]\nid = \"s\"\ntitle = \"t\"\nseverity = \"low\"\n"
                         "max_sessions = 0\n");
  ASSERT_TRUE(policy);
  Report report = baseReport();
  for (int i = 0; i < 25; ++i) {
    report.processes.push_back(proc(1000 + i, 1, "xmrig", "nobody", 65534, "./xmrig"));
    report.sessions.push_back(sess("u" + std::to_string(i), "pts/9", std::nullopt));
  }
  const auto verdicts = evaluate(*policy, report);
  ASSERT_EQ(verdicts.size(), 2u);
  for (const auto& v : verdicts) {
    EXPECT_EQ(v.status, Status::kFail);
    const auto entries = std::count(v.evidence.begin(), v.evidence.end(), '{');
    EXPECT_EQ(entries, static_cast<long>(kMaxEvidence)) << v.evidence;
  }
  EXPECT_NE(verdicts[0].evidence.find("\"pid\":1000,"), std::string::npos);  // the first ones
  EXPECT_EQ(verdicts[0].evidence.find("\"pid\":1020,"), std::string::npos);
}

// Rules with `name` visit only the processes of those names; evidence stays in report order.
TEST(Evaluate, EvidenceFollowsTheReportsOrderWhateverTheNames) {
  auto policy = policyOf(oneRule("forbid_process = { name = [\"xmrig\", \"minerd\"] }"));
  ASSERT_TRUE(policy);
  Report report = baseReport();
  report.processes = {proc(90, 1, "minerd", "a", 1, "m1"), proc(5, 1, "sshd", "root", 0, "s"),
                      proc(30, 1, "xmrig", "b", 2, "x1"), proc(7, 1, "minerd", "c", 3, "m2")};
  const auto v = evaluate(*policy, report)[0];
  EXPECT_EQ(v.status, Status::kFail);
  EXPECT_EQ(v.evidence, R"([{"pid":90,"name":"minerd","user":"a","command":"m1"},)"
                        R"({"pid":30,"name":"xmrig","user":"b","command":"x1"},)"
                        R"({"pid":7,"name":"minerd","user":"c","command":"m2"}])");
}

TEST(Evaluate, OneVerdictPerRuleInRuleOrder) {
  auto policy = policyOf(oneRule("require_process = { name = \"sshd\" }") +
                         "[[rules]]\nid = \"b\"\ntitle = \"t\"\nseverity = \"low\"\n"
                         "require_process = { name = \"auditd\" }\n"
                         "[[rules]]\nid = \"c\"\ntitle = \"t\"\nseverity = \"low\"\n"
                         "require_kernel = { min = \"6.1\" }\napplies_to = { os_id = \"rhel\" }\n");
  ASSERT_TRUE(policy);
  const auto verdicts = evaluate(*policy, baseReport());
  ASSERT_EQ(verdicts.size(), 3u);
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i].rule, i);
  EXPECT_EQ(verdicts[0].status, Status::kPass);
  EXPECT_EQ(verdicts[1].status, Status::kFail);
  EXPECT_EQ(verdicts[2].status, Status::kNotApplicable);
  EXPECT_TRUE(evaluate(*policyOf(""), baseReport()).empty());
}

// Waivers: the rule fails on web-01 (no auditd) unless waived.
std::string waived(const std::string& waivers) {
  return oneRule("require_process = { name = \"auditd\" }") +
         "[[rules]]\nid = \"other\"\ntitle = \"t\"\nseverity = \"low\"\n"
         "require_process = { name = \"sshd\" }\n" +
         waivers;
}

std::string waiver(const std::string& rule, const std::string& hosts, const std::string& expires,
                   const std::string& reason = "appliance") {
  return "[[waivers]]\nrule = \"" + rule + "\"\n" + hosts + "\nreason = \"" + reason +
         "\"\nowner = \"secops@example.com\"\nexpires = \"" + expires + "\"\n";
}

Verdict judgeAt(const std::string& policy_text, const std::string& collected_at,
                const std::function<void(Report&)>& change = nothing) {
  auto policy = policyOf(policy_text);
  EXPECT_TRUE(policy);
  if (!policy) return {};
  Report report = baseReport();
  report.collected_at = collected_at;
  change(report);
  return evaluate(*policy, report)[0];
}

TEST(Evaluate, AWaiverTurnsAFailIntoWaivedUntilTheEndOfItsDay) {
  const auto text = waived(waiver("r", "hosts = [\"10.0.0.0/24\"]", "2027-03-31"));
  {
    const auto v = judgeAt(text, "2026-11-22T10:00:00Z");
    EXPECT_EQ(v.status, Status::kWaived);
    EXPECT_EQ(v.evidence, "[]");  // the fail's evidence is kept
    ASSERT_TRUE(v.waiver);
    EXPECT_EQ(v.waiver->reason, "appliance");
    EXPECT_EQ(v.waiver->owner, "secops@example.com");
    EXPECT_EQ(v.waiver->expires, "2027-03-31");
  }
  EXPECT_EQ(judgeAt(text, "2027-03-31T23:59:59.999999Z").status, Status::kWaived);
  // Compared as instants: 01:00 at +02:00 is still the 31st in UTC.
  EXPECT_EQ(judgeAt(text, "2027-04-01T01:00:00+02:00").status, Status::kWaived);
  {
    // The first report collected after it fails again, and still shows the waiver.
    const auto v = judgeAt(text, "2027-04-01T00:00:00Z");
    EXPECT_EQ(v.status, Status::kFail);
    ASSERT_TRUE(v.waiver);
    EXPECT_EQ(v.waiver->expires, "2027-03-31");
  }
  // A waiver names hosts: others fail without it.
  {
    const auto v = judgeAt(text, "2026-11-22T10:00:00Z", [](Report& r) { r.host.ip = "10.0.1.5"; });
    EXPECT_EQ(v.status, Status::kFail);
    EXPECT_FALSE(v.waiver);
  }
  // A waiver does not touch a rule that passes, nor another rule.
  {
    const auto v = judgeAt(text, "2026-11-22T10:00:00Z", [](Report& r) {
      r.processes.push_back(proc(900, 1, "auditd", "root", 0, "/sbin/auditd"));
    });
    EXPECT_EQ(v.status, Status::kPass);
    EXPECT_FALSE(v.waiver);
  }
}

TEST(Evaluate, WaiversByHostnameAndByBothKeys) {
  const auto by_name = waived(waiver("r", "hostname = \"WEB-*\"", "2027-03-31"));
  EXPECT_EQ(judgeAt(by_name, "2026-11-22T10:00:00Z").status, Status::kWaived);
  EXPECT_EQ(
      judgeAt(by_name, "2026-11-22T10:00:00Z", [](Report& r) { r.host.hostname = "db-01"; }).status,
      Status::kFail);
  const auto both =
      waived(waiver("r", "hostname = [\"web-*\"]\nhosts = \"10.0.9.0/24\"", "2027-03-31"));
  EXPECT_EQ(judgeAt(both, "2026-11-22T10:00:00Z").status, Status::kFail);  // AND: not 10.0.9.x
  EXPECT_EQ(judgeAt(both, "2026-11-22T10:00:00Z", [](Report& r) { r.host.ip = "10.0.9.4"; }).status,
            Status::kWaived);
}

TEST(Evaluate, AWaiverInForceWinsOverOneThatRanOut) {
  const auto text = waived(waiver("r", "hosts = \"10.0.0.0/8\"", "2026-01-31", "old") +
                           waiver("r", "hosts = \"10.0.0.0/8\"", "2026-06-30", "newer") +
                           waiver("r", "hosts = \"10.0.0.0/8\"", "2027-01-31", "current"));
  const auto now = judgeAt(text, "2026-11-22T10:00:00Z");
  EXPECT_EQ(now.status, Status::kWaived);
  ASSERT_TRUE(now.waiver);
  EXPECT_EQ(now.waiver->reason, "current");
  const auto later = judgeAt(text, "2027-02-01T00:00:00Z");
  EXPECT_EQ(later.status, Status::kFail);
  ASSERT_TRUE(later.waiver);
  EXPECT_EQ(later.waiver->reason, "current");  // the one that ran out last
}

TEST(Evaluate, AWaiverNeverHidesAnError) {
  const auto text = oneRule("require_kernel = { min = \"6.1\" }") +
                    waiver("r", "hosts = \"10.0.0.0/8\"", "2027-01-31");
  const auto v = judgeAt(text, "2026-11-22T10:00:00Z", [](Report& r) { r.os.kernel.reset(); });
  EXPECT_EQ(v.status, Status::kError);
  EXPECT_FALSE(v.waiver);
}

TEST(Evaluate, AReportWhoseTimeCannotBeReadKeepsItsFail) {
  const auto text = waived(waiver("r", "hosts = \"10.0.0.0/8\"", "2027-03-31"));
  const auto v = judgeAt(text, "yesterday");
  EXPECT_EQ(v.status, Status::kFail);
  EXPECT_TRUE(v.waiver);
}

// RE2 matches in linear time: patterns that take a backtracking engine exponential time on a
// long run of a's (every way of splitting it is tried before giving up) stay cheap here.
TEST(Evaluate, PathologicalRegexesStayLinear) {
  auto policy = policyOf(oneRule("forbid_process = { command_regex = '(a+)+$' }") +
                         "[[rules]]\nid = \"b\"\ntitle = \"t\"\nseverity = \"low\"\n"
                         "forbid_process = { command_regex = '^(a|aa)*b$' }\n"
                         "[[rules]]\nid = \"c\"\ntitle = \"t\"\nseverity = \"low\"\n"
                         "forbid_process = { name_regex = '(x+x+)+y' }\n");
  ASSERT_TRUE(policy);
  Report report = baseReport();
  report.processes.clear();
  for (int i = 0; i < 300; ++i) {
    report.processes.push_back(
        proc(1000 + i, 1, std::string(15, 'x'), "root", 0, std::string(4095, 'a') + "!"));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto verdicts = evaluate(*policy, report);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].status, Status::kPass);  // the '!' ends every command
  EXPECT_EQ(verdicts[1].status, Status::kPass);
  EXPECT_EQ(verdicts[2].status, Status::kPass);
  // Generous for a loaded machine; a backtracking engine would not finish the first command.
  EXPECT_LT(took, std::chrono::seconds(2));
}

}  // namespace
}  // namespace vigia::compliance
