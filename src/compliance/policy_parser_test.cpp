#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compliance/policy.hpp"

namespace vigia::compliance {
namespace {

// Every TOML policy in this file starts from these lines, so that a case's bad line is at a
// known place: line 1 is [[rules]], the check is on line 5.
constexpr const char* kRuleHead =
    "[[rules]]\n"
    "id = \"r1\"\n"
    "title = \"A rule\"\n"
    "severity = \"low\"\n";

std::variant<std::shared_ptr<const Policy>, PolicyError> parseOne(
    const std::string& text, const std::string& name = "p.toml") {
  const PolicySource sources[] = {{name, text}};
  return Policy::parse(sources);
}

std::string sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &size, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", md[i]);
    hex += byte;
  }
  return hex;
}

constexpr const char* kSpecExample = R"(
[policy]
name = "debian-baseline"
version = "2026.12"

[[rules]]
id = "sshd-running"                 # [a-z0-9][a-z0-9._-]{0,63}, unique across all files
title = "The SSH daemon runs"
severity = "high"                   # info, low, medium, high, critical
rationale = "Hosts are administered over SSH only."
remediation = "systemctl enable --now ssh"
references = ["CIS Debian Linux 12 5.1"]
applies_to = { os_id = ["debian", "ubuntu"] }    # optional; else every host
require_process = { name = "sshd", user = "root" }

[[rules]]
id = "no-exec-from-tmp"
title = "Nothing runs from world-writable directories"
severity = "critical"
forbid_process = { command_regex = '^(/tmp|/var/tmp|/dev/shm)/' }

[[rules]]
id = "no-remote-root"
title = "root never logs in from the network"
severity = "high"
forbid_session = { user = "root", remote = true }

[[rules]]
id = "supported-os"
title = "A supported OS release"
severity = "medium"
require_os = [{ id = "debian", min_version = "12" }, { id = "ubuntu", min_version = "22.04" }]

[[waivers]]
rule = "sshd-running"
hosts = ["10.0.9.0/24"]             # or hostname = "bastion-*"
reason = "Serial-console-only appliances"
owner = "secops@example.com"
expires = "2027-03-31"              # after it, the rule applies again
)";

TEST(PolicyParse, TheSpecExampleLoads) {
  auto parsed = parseOne(kSpecExample);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(parsed))
      << std::get<PolicyError>(parsed).message();
  const auto& policy = *std::get<std::shared_ptr<const Policy>>(parsed);
  EXPECT_EQ(policy.name(), "debian-baseline");
  EXPECT_EQ(policy.version(), "2026.12");
  ASSERT_EQ(policy.rules().size(), 4u);
  const RuleInfo& sshd = policy.rules()[0];
  EXPECT_EQ(sshd.id, "sshd-running");
  EXPECT_EQ(sshd.title, "The SSH daemon runs");
  EXPECT_EQ(sshd.severity, Severity::kHigh);
  EXPECT_EQ(sshd.kind, "require_process");
  EXPECT_EQ(sshd.rationale, "Hosts are administered over SSH only.");
  EXPECT_EQ(sshd.remediation, "systemctl enable --now ssh");
  EXPECT_EQ(sshd.references, std::vector<std::string>{"CIS Debian Linux 12 5.1"});
  EXPECT_EQ(policy.rules()[1].kind, "forbid_process");
  EXPECT_EQ(policy.rules()[1].severity, Severity::kCritical);
  EXPECT_EQ(policy.rules()[2].kind, "forbid_session");
  EXPECT_EQ(policy.rules()[3].kind, "require_os");
  EXPECT_EQ(policy.ruleIndex("no-remote-root"), 2u);
  EXPECT_EQ(policy.ruleIndex("nope"), std::nullopt);
  EXPECT_EQ(policy.digest(), sha256Hex(kSpecExample));
}

TEST(PolicyParse, RulesOfEveryFileInOrderAndNameFromTheFirstThatHasOne) {
  const std::string a =
      std::string("[policy]\nversion = \"1\"\n") + kRuleHead + "max_sessions = 3\n";
  const std::string b =
      "[policy]\nname = \"site\"\nversion = \"2\"\n"
      "[[rules]]\nid = \"r2\"\ntitle = \"B\"\nseverity = \"info\"\n"
      "require_cpu = { arch = \"x86_64\" }\n"
      "[[waivers]]\nrule = \"r1\"\nhostname = \"bastion-*\"\nreason = \"x\"\n"
      "owner = \"o\"\nexpires = 2027-01-31\n";
  const PolicySource sources[] = {{"a.toml", a}, {"b.toml", b}};
  auto parsed = Policy::parse(sources);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(parsed))
      << std::get<PolicyError>(parsed).message();
  const auto& policy = *std::get<std::shared_ptr<const Policy>>(parsed);
  EXPECT_EQ(policy.name(), "site");
  EXPECT_EQ(policy.version(), "1");
  ASSERT_EQ(policy.rules().size(), 2u);
  EXPECT_EQ(policy.rules()[0].id, "r1");
  EXPECT_EQ(policy.rules()[1].id, "r2");
  EXPECT_EQ(policy.rules()[1].kind, "require_cpu");
  // The digest is that of the files' bytes one after the other, in the order given.
  EXPECT_EQ(policy.digest(), sha256Hex(a + b));
  const PolicySource reversed[] = {{"b.toml", b}, {"a.toml", a}};
  auto other = Policy::parse(reversed);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(other));
  EXPECT_EQ(std::get<std::shared_ptr<const Policy>>(other)->digest(), sha256Hex(b + a));
}

TEST(PolicyParse, AnEmptyFileIsAPolicyWithoutRules) {
  auto parsed = parseOne("");
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(parsed));
  const auto& policy = *std::get<std::shared_ptr<const Policy>>(parsed);
  EXPECT_TRUE(policy.rules().empty());
  EXPECT_EQ(policy.name(), "");
  EXPECT_EQ(policy.digest(), sha256Hex(""));
}

TEST(PolicyParse, EveryCheckAndMatcherKeyIsAccepted) {
  const std::string text = R"(
[[rules]]
id = "a"
title = "t"
severity = "info"
applies_to = { os_id = "debian", hostname = ["web-*", "db-*"], ip = ["10.0.0.0/8", "fd00::/8"] }
require_process = { name = ["sshd"], name_regex = '^ssh', user = "root", user_not = ["nobody"], uid = 0, command_regex = 'sshd', command_contains = "-D", parent_name = ["systemd"] }
[[rules]]
id = "b"
title = "t"
severity = "low"
forbid_process = { name = "telnetd" }
[[rules]]
id = "c"
title = "t"
severity = "medium"
require_session = { user = ["alice"], user_not = "root", tty_regex = '^pts/', remote = true, remote_host_not_in = ["10.0.0.0/8", "192.168.1.10", "*.corp.example.com", "2001:db8::/32"] }
[[rules]]
id = "d"
title = "t"
severity = "high"
forbid_session = { remote = false }
[[rules]]
id = "e"
title = "t"
severity = "critical"
require_os = { name = "Debian GNU/Linux", min_version = "11", max_version = "13" }
[[rules]]
id = "f.g_h-1"
title = "t"
severity = "low"
require_kernel = { min = "5.10", max = "6.12" }
[[rules]]
id = "g"
title = "t"
severity = "low"
require_cpu = { arch = ["x86_64", "aarch64"] }
[[rules]]
id = "h"
title = "t"
severity = "low"
max_sessions = 0
[rules.applies_to]
hostname = "bastion-*"
)";
  auto parsed = parseOne(text);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(parsed))
      << std::get<PolicyError>(parsed).message();
  const auto& policy = *std::get<std::shared_ptr<const Policy>>(parsed);
  std::vector<std::string> kinds;
  for (const auto& r : policy.rules()) kinds.push_back(r.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"require_process", "forbid_process", "require_session",
                                             "forbid_session", "require_os", "require_kernel",
                                             "require_cpu", "max_sessions"}));
}

struct BadCase {
  const char* label;
  std::string text;
  int line;
  const char* reason;  // a part of the reason
};

TEST(PolicyParse, EveryBadPolicyIsRefusedWithItsFileLineAndReason) {
  const std::string h = kRuleHead;
  const std::vector<BadCase> cases = {
      {"toml syntax", h + "max_sessions = 3\ntitle = \"again\n", 6, ""},
      {"toml duplicate key", h + "max_sessions = 3\nmax_sessions = 4\n", 6, "max_sessions"},
      {"unknown top-level key", "colour = \"red\"\n", 1,
       "unknown key \"colour\" in the policy file"},
      {"unknown [policy] key", "[policy]\nname = \"x\"\nowner = \"me\"\n", 3,
       "unknown key \"owner\" in [policy]"},
      {"policy name not a string", "[policy]\nname = 3\n", 2, "[policy] name must be a string"},
      {"unknown rule key", h + "max_sessions = 3\nseverty = \"high\"\n", 6,
       "unknown key \"severty\" in a rule"},
      {"unknown process matcher key", h + "forbid_process = { name = \"x\", cmd = \"y\" }\n", 5,
       "unknown key \"cmd\" in rule \"r1\": forbid_process"},
      {"unknown session matcher key", h + "forbid_session = { remote_host = \"x\" }\n", 5,
       "unknown key \"remote_host\""},
      {"unknown os key", h + "require_os = [{ id = \"debian\", version = \"12\" }]\n", 5,
       "unknown key \"version\" in rule \"r1\": require_os[0]"},
      {"unknown kernel key", h + "require_kernel = { minimum = \"6.1\" }\n", 5,
       "unknown key \"minimum\""},
      {"unknown cpu key", h + "require_cpu = { arch = \"x86_64\", vendor = \"x\" }\n", 5,
       "unknown key \"vendor\""},
      {"unknown applies_to key", h + "max_sessions = 3\napplies_to = { os = \"debian\" }\n", 6,
       "unknown key \"os\" in rule \"r1\": applies_to"},
      {"unknown waiver key",
       h + "max_sessions = 3\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = \"2027-01-01\"\nticket = \"SEC-1\"\n",
       12, "unknown key \"ticket\" in a waiver"},
      {"rules not an array", "[rules]\nid = \"x\"\n", 1, "rules must be an array of tables"},
      {"waivers not an array", "waivers = 3\n", 1, "waivers must be an array of tables"},
      {"rule not a table", "rules = [1]\n", 1, "each [[rules]] entry must be a table"},
      {"title wrong type",
       "[[rules]]\nid = \"r1\"\ntitle = 1\nseverity = \"low\"\nmax_sessions = 1\n", 3,
       "rule \"r1\": title must be a string"},
      {"empty title",
       "[[rules]]\nid = \"r1\"\ntitle = \"\"\nseverity = \"low\"\nmax_sessions = 1\n", 3,
       "title must not be empty"},
      {"severity wrong type",
       "[[rules]]\nid = \"r1\"\ntitle = \"t\"\nseverity = 3\nmax_sessions = 1\n", 4,
       "severity must be a string"},
      {"bad severity",
       "[[rules]]\nid = \"r1\"\ntitle = \"t\"\nseverity = \"urgent\"\nmax_sessions = 1\n", 4,
       "severity \"urgent\" is not one of info, low, medium, high, critical"},
      {"references wrong type", h + "max_sessions = 1\nreferences = [1]\n", 6,
       "references must be a string or a list of strings"},
      {"rationale wrong type", h + "max_sessions = 1\nrationale = [\"a\"]\n", 6,
       "rationale must be a string"},
      {"missing id", "[[rules]]\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n", 1,
       "a rule needs an id"},
      {"missing title", "\n[[rules]]\nid = \"r1\"\nseverity = \"low\"\nmax_sessions = 1\n", 2,
       "rule \"r1\": title is required"},
      {"missing severity", "[[rules]]\nid = \"r1\"\ntitle = \"t\"\nmax_sessions = 1\n", 1,
       "rule \"r1\": severity is required"},
      {"id wrong type", "[[rules]]\nid = 7\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n",
       2, "id must be a string"},
      {"bad id: upper case",
       "[[rules]]\nid = \"SSH\"\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n", 2,
       "rule id \"SSH\" is not [a-z0-9][a-z0-9._-]{0,63}"},
      {"bad id: leading dash",
       "[[rules]]\nid = \"-x\"\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n", 2,
       "rule id \"-x\" is not"},
      {"bad id: too long",
       "[[rules]]\nid = \"" + std::string(65, 'a') +
           "\"\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n",
       2, "is not [a-z0-9]"},
      {"bad id: space",
       "[[rules]]\nid = \"a b\"\ntitle = \"t\"\nseverity = \"low\"\nmax_sessions = 1\n", 2,
       "rule id \"a b\" is not"},
      {"duplicate id", h + "max_sessions = 1\n" + h + "max_sessions = 2\n", 7,
       "rule id \"r1\" is a duplicate (first at p.toml:2)"},
      {"no check", h + "rationale = \"why\"\n", 1,
       "rule \"r1\": no check; a rule has exactly one of require_process"},
      {"two checks", h + "require_process = { name = \"a\" }\nforbid_process = { name = \"b\" }\n",
       6, "rule \"r1\": two checks (require_process and forbid_process); a rule has exactly one"},
      {"check wrong type", h + "require_process = \"sshd\"\n", 5,
       "rule \"r1\": require_process must be a table"},
      {"empty process matcher", h + "forbid_process = {}\n", 5,
       "forbid_process needs at least one of name, name_regex"},
      {"empty session matcher", h + "forbid_session = {}\n", 5,
       "forbid_session needs at least one of user"},
      {"name wrong type", h + "require_process = { name = 5 }\n", 5,
       "require_process.name must be a string or a list of strings"},
      {"name empty list", h + "require_process = { name = [] }\n", 5,
       "require_process.name must not be an empty list"},
      {"name list with a number", h + "require_process = { name = [\"a\", 2] }\n", 5,
       "must be a string or a list of strings"},
      {"empty name", h + "require_process = { name = \"\" }\n", 5,
       "require_process.name must not be empty"},
      {"uid wrong type", h + "require_process = { uid = \"0\" }\n", 5,
       "require_process.uid must be an integer"},
      {"uid negative", h + "require_process = { uid = -1 }\n", 5,
       "require_process.uid must be from 0 to 4294967295"},
      {"user_not wrong type", h + "require_process = { user_not = true }\n", 5,
       "user_not must be a string or a list of strings"},
      {"command_contains wrong type", h + "forbid_process = { command_contains = [\"a\"] }\n", 5,
       "forbid_process.command_contains must be a string"},
      {"bad command regex", h + "forbid_process = { command_regex = '(a' }\n", 5,
       "rule \"r1\": forbid_process.command_regex is a bad regex: missing ): (a"},
      {"bad name regex", h + "forbid_process = { name_regex = 'x**' }\n", 5,
       "forbid_process.name_regex is a bad regex: bad repetition operator: **"},
      {"backreference is not RE2", h + "forbid_process = { name_regex = '(a)\\1' }\n", 5,
       "is a bad regex: invalid escape sequence: \\1"},
      {"bad tty regex", h + "forbid_session = { tty_regex = '[pts' }\n", 5,
       "forbid_session.tty_regex is a bad regex: missing ]: [pts"},
      {"empty regex", h + "forbid_process = { command_regex = '' }\n", 5,
       "command_regex must not be empty"},
      {"regex wrong type", h + "forbid_process = { command_regex = 1 }\n", 5,
       "command_regex must be a string"},
      {"remote wrong type", h + "forbid_session = { remote = \"yes\" }\n", 5,
       "forbid_session.remote must be true or false"},
      {"bad CIDR in remote_host_not_in",
       h + "forbid_session = { remote_host_not_in = [\"10.0.0.0/8\", \"10.0.0.0/33\"] }\n", 5,
       "remote_host_not_in has a bad CIDR \"10.0.0.0/33\""},
      {"bad address in remote_host_not_in",
       h + "forbid_session = { remote_host_not_in = \"10.0.300.1\" }\n", 5,
       "has a bad CIDR \"10.0.300.1\": not an IPv4 or IPv6 address"},
      {"host bits set in remote_host_not_in",
       h + "forbid_session = { remote_host_not_in = [\"192.168.1.1/16\"] }\n", 5,
       "host bits are set (the network is 192.168.0.0/16)"},
      {"bad CIDR in applies_to.ip", h + "max_sessions = 1\napplies_to = { ip = [\"web-*\"] }\n", 6,
       "rule \"r1\": applies_to.ip has a bad CIDR \"web-*\""},
      {"applies_to wrong type", h + "max_sessions = 1\napplies_to = \"debian\"\n", 6,
       "applies_to must be a table"},
      {"os_id wrong type", h + "max_sessions = 1\napplies_to = { os_id = 12 }\n", 6,
       "applies_to.os_id must be a string or a list of strings"},
      {"require_os wrong type", h + "require_os = \"debian\"\n", 5,
       "require_os must be a list of alternatives"},
      {"require_os empty", h + "require_os = []\n", 5, "require_os must not be an empty list"},
      {"os alternative without id or name", h + "require_os = [{ min_version = \"12\" }]\n", 5,
       "require_os[0] needs an id or a name"},
      {"os version wrong type", h + "require_os = [{ id = \"debian\", min_version = 12 }]\n", 5,
       "require_os[0].min_version must be a string"},
      {"os min above max",
       h + "require_os = [{ id = \"debian\" }, { id = \"ubuntu\", min_version = \"24.04\", "
           "max_version = \"22.04\" }]\n",
       5, "require_os[1] has min_version above its maximum"},
      {"kernel without bounds", h + "require_kernel = {}\n", 5,
       "require_kernel needs a min or a max"},
      {"kernel min above max", h + "require_kernel = { min = \"6.2\", max = \"6.1\" }\n", 5,
       "require_kernel has min above its maximum"},
      {"cpu without arch", h + "require_cpu = {}\n", 5, "require_cpu needs arch = [...]"},
      {"cpu arch wrong type", h + "require_cpu = { arch = 64 }\n", 5,
       "require_cpu.arch must be a string or a list of strings"},
      {"max_sessions wrong type", h + "max_sessions = \"3\"\n", 5,
       "rule \"r1\": max_sessions must be an integer"},
      {"max_sessions negative", h + "max_sessions = -1\n", 5, "max_sessions must be from 0 to"},
      {"max_sessions float", h + "max_sessions = 2.5\n", 5, "max_sessions must be an integer"},
      {"waiver for unknown rule",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r9\"\nhosts = [\"10.0.0.0/8\"]\n"
           "reason = \"r\"\nowner = \"o\"\nexpires = \"2027-01-01\"\n",
       7, "waiver for unknown rule \"r9\""},
      {"waiver without rule",
       h + "max_sessions = 1\n[[waivers]]\nhosts = [\"10.0.0.0/8\"]\nreason = \"r\"\n", 6,
       "a waiver needs the rule it waives"},
      {"waiver without hosts",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nreason = \"r\"\nowner = \"o\"\n"
           "expires = \"2027-01-01\"\n",
       6, "waiver of \"r1\": names no hosts"},
      {"waiver with a bad CIDR",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = [\"10.0.0.0/24\", "
           "\"10.0.9.0/2x\"]\n"
           "reason = \"r\"\nowner = \"o\"\nexpires = \"2027-01-01\"\n",
       8, "waiver of \"r1\": hosts has a bad CIDR \"10.0.9.0/2x\""},
      {"waiver without reason",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nowner = \"o\"\n"
           "expires = \"2027-01-01\"\n",
       6, "waiver of \"r1\": reason is required"},
      {"waiver without owner",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "expires = \"2027-01-01\"\n",
       6, "owner is required"},
      {"waiver without expiry",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\n",
       6, "expires is required"},
      {"bad date: no such day",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = \"2027-02-30\"\n",
       11, "waiver of \"r1\": expires is not a calendar date"},
      {"bad date: slashes",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = \"2027/03/31\"\n",
       11, "expires must be a date, YYYY-MM-DD (not \"2027/03/31\")"},
      {"bad date: a time",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = 2027-03-31T12:00:00Z\n",
       11, "expires must be a date, YYYY-MM-DD"},
      {"bad date: a number",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = 20270331\n",
       11, "expires must be a date"},
      {"bad date: month 13",
       h + "max_sessions = 1\n[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\n"
           "owner = \"o\"\nexpires = \"2027-13-01\"\n",
       11, "is not a calendar date"},
  };
  for (const auto& c : cases) {
    auto parsed = parseOne(c.text, "p.toml");
    ASSERT_TRUE(std::holds_alternative<PolicyError>(parsed)) << c.label << " was accepted";
    const auto& e = std::get<PolicyError>(parsed);
    EXPECT_EQ(e.file, "p.toml") << c.label;
    EXPECT_EQ(e.line, c.line) << c.label << ": " << e.message();
    EXPECT_NE(e.reason.find(c.reason), std::string::npos)
        << c.label << ": \"" << e.reason << "\" lacks \"" << c.reason << "\"";
    EXPECT_FALSE(e.reason.empty()) << c.label;
    EXPECT_EQ(e.message(), "p.toml:" + std::to_string(e.line) + ": " + e.reason);
  }
}

TEST(PolicyParse, ErrorsAcrossFilesNameTheFileTheyAreIn) {
  const std::string h = kRuleHead;
  {
    const PolicySource sources[] = {{"base.toml", h + "max_sessions = 1\n"},
                                    {"site.toml", "\n" + h + "max_sessions = 2\n"}};
    auto parsed = Policy::parse(sources);
    ASSERT_TRUE(std::holds_alternative<PolicyError>(parsed));
    const auto& e = std::get<PolicyError>(parsed);
    EXPECT_EQ(e.file, "site.toml");
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(e.reason, "rule id \"r1\" is a duplicate (first at base.toml:2)");
  }
  {
    // A waiver may waive a rule of another file, a later one too; an unknown one is refused.
    const std::string waivers =
        "[[waivers]]\nrule = \"r1\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\nowner = \"o\"\n"
        "expires = \"2027-01-01\"\n"
        "[[waivers]]\nrule = \"r2\"\nhosts = \"10.0.0.0/8\"\nreason = \"r\"\nowner = \"o\"\n"
        "expires = \"2027-01-01\"\n";
    const PolicySource ok[] = {{"waivers.toml", waivers.substr(0, waivers.find("[[waivers]]", 1))},
                               {"base.toml", h + "max_sessions = 1\n"}};
    EXPECT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(Policy::parse(ok)));
    const PolicySource bad[] = {{"base.toml", h + "max_sessions = 1\n"}, {"waivers.toml", waivers}};
    auto parsed = Policy::parse(bad);
    ASSERT_TRUE(std::holds_alternative<PolicyError>(parsed));
    EXPECT_EQ(std::get<PolicyError>(parsed).message(),
              "waivers.toml:8: waiver for unknown rule \"r2\"");
  }
}

TEST(PolicyParse, NoFilesIsAnError) {
  auto parsed = Policy::parse({});
  ASSERT_TRUE(std::holds_alternative<PolicyError>(parsed));
  EXPECT_EQ(std::get<PolicyError>(parsed).line, 0);
  EXPECT_EQ(std::get<PolicyError>(parsed).reason, "no policy files given");
  auto loaded = Policy::load({});
  ASSERT_TRUE(std::holds_alternative<PolicyError>(loaded));
  EXPECT_EQ(std::get<PolicyError>(loaded).reason, "no policy files given");
}

class PolicyLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia-policy-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(PolicyLoad, FilesAreReadWholeAndNamedByTheirPath) {
  const std::string a = std::string(kRuleHead) + "max_sessions = 1\n";
  const auto path = write("a.toml", a);
  const std::filesystem::path files[] = {path};
  auto loaded = Policy::load(files);
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const Policy>>(loaded));
  EXPECT_EQ(std::get<std::shared_ptr<const Policy>>(loaded)->digest(), sha256Hex(a));

  std::string second = std::string(kRuleHead) + "max_sessions = \"x\"\n";
  second.replace(second.find("r1"), 2, "r2");
  const auto bad = write("bad.toml", second);
  const std::filesystem::path bad_files[] = {path, bad};
  auto refused = Policy::load(bad_files);
  ASSERT_TRUE(std::holds_alternative<PolicyError>(refused));
  EXPECT_EQ(std::get<PolicyError>(refused).file, bad.string());
  EXPECT_EQ(std::get<PolicyError>(refused).line, 5);
}

TEST_F(PolicyLoad, AnUnreadableFileIsAnErrorOnLineZero) {
  const std::filesystem::path missing[] = {dir_ / "missing.toml"};
  auto loaded = Policy::load(missing);
  ASSERT_TRUE(std::holds_alternative<PolicyError>(loaded));
  const auto& e = std::get<PolicyError>(loaded);
  EXPECT_EQ(e.file, (dir_ / "missing.toml").string());
  EXPECT_EQ(e.line, 0);
  EXPECT_EQ(e.reason, "cannot read: No such file or directory");

  const std::filesystem::path directory[] = {dir_};
  auto refused = Policy::load(directory);
  ASSERT_TRUE(std::holds_alternative<PolicyError>(refused));
  EXPECT_EQ(std::get<PolicyError>(refused).reason, "cannot read: Is a directory");
}

TEST(PolicyNames, SeverityAndStatusSpellings) {
  for (const char* s : {"info", "low", "medium", "high", "critical"}) {
    ASSERT_TRUE(parseSeverity(s)) << s;
    EXPECT_EQ(toString(*parseSeverity(s)), s);
  }
  EXPECT_LT(*parseSeverity("low"), *parseSeverity("critical"));
  EXPECT_FALSE(parseSeverity("High"));
  for (const char* s : {"pass", "fail", "waived", "not_applicable", "error"}) {
    ASSERT_TRUE(parseStatus(s)) << s;
    EXPECT_EQ(toString(*parseStatus(s)), s);
  }
  EXPECT_FALSE(parseStatus("passed"));
  EXPECT_TRUE(isFailing(Status::kFail));
  EXPECT_TRUE(isFailing(Status::kError));
  EXPECT_FALSE(isFailing(Status::kWaived));
}

}  // namespace
}  // namespace vigia::compliance
