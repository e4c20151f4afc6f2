#include "compliance/policy_parser.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <utility>

#include "compliance/version_order.hpp"

namespace vigia::compliance {
namespace {

// A bad policy stops at its first problem. Thrown from anywhere in the walk of one file and
// caught in parsePolicySources(), so that the walk reads as the format it checks instead of a
// return check after every call.
struct Refused {
  PolicyError error;
};

constexpr std::string_view kTopKeys[] = {"policy", "rules", "waivers"};
constexpr std::string_view kPolicyKeys[] = {"name", "version"};
constexpr std::string_view kCheckKeys[] = {"require_process", "forbid_process", "require_session",
                                           "forbid_session",  "require_os",     "require_kernel",
                                           "require_cpu",     "max_sessions"};
// A rule's own keys; its check is one of kCheckKeys.
constexpr std::string_view kRuleKeys[] = {"id",          "title",      "severity",  "rationale",
                                          "remediation", "references", "applies_to"};
constexpr std::string_view kProcessKeys[] = {
    "name",          "name_regex",       "user",       "user_not", "uid",
    "command_regex", "command_contains", "parent_name"};
constexpr std::string_view kSessionKeys[] = {"user", "user_not", "tty_regex", "remote",
                                             "remote_host_not_in"};
constexpr std::string_view kOsKeys[] = {"id", "name", "min_version", "max_version"};
constexpr std::string_view kKernelKeys[] = {"min", "max"};
constexpr std::string_view kCpuKeys[] = {"arch"};
constexpr std::string_view kAppliesKeys[] = {"os_id", "hostname", "ip"};
constexpr std::string_view kWaiverKeys[] = {"rule",   "hosts", "hostname",
                                            "reason", "owner", "expires"};

int lineOf(const toml::source_region& where) {
  return static_cast<int>(
      std::min<std::uint64_t>(where.begin.line, std::numeric_limits<int>::max()));
}
int lineOf(const toml::node& node) { return lineOf(node.source()); }

std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string joined(std::span<const std::string_view> words) {
  std::string out;
  for (const auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

// One file's walk: the type checks every value goes through, each refusal naming the file, the
// line and the value by its path (`rule "sshd-running": require_process.name`).
class Walker {
 public:
  explicit Walker(const std::string& file) : file_(file) {}

  [[noreturn]] void refuse(int line, std::string reason) const {
    throw Refused{PolicyError{file_, line, std::move(reason)}};
  }
  [[noreturn]] void refuse(const toml::node& at, const std::string& what,
                           std::string_view problem) const {
    refuse(lineOf(at), what + " " + std::string(problem));
  }

  void checkKeys(const toml::table& table, std::span<const std::string_view> known,
                 const std::string& where, std::span<const std::string_view> also = {}) const {
    auto in = [](std::span<const std::string_view> keys, std::string_view key) {
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    for (const auto& [key, value] : table) {
      if (!in(known, key.str()) && !in(also, key.str())) {
        std::string all = joined(known);
        if (!also.empty()) all += ", " + joined(also);
        refuse(lineOf(key.source()),
               "unknown key " + inQuotes(key.str()) + " in " + where + " (known: " + all + ")");
      }
    }
  }

  const toml::table& table(const toml::node& node, const std::string& what) const {
    const toml::table* t = node.as_table();
    if (!t) refuse(node, what, "must be a table");
    return *t;
  }

  std::string string(const toml::node& node, const std::string& what) const {
    const auto* s = node.as_string();
    if (!s) refuse(node, what, "must be a string");
    return s->get();
  }

  std::string nonEmptyString(const toml::node& node, const std::string& what) const {
    std::string s = string(node, what);
    if (s.empty()) refuse(node, what, "must not be empty");
    return s;
  }

  // A string, or a non-empty list of strings; no string may be empty.
  std::vector<std::string> strings(const toml::node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.is_string()) {
      out.push_back(nonEmptyString(node, what));
      return out;
    }
    const toml::array* list = node.as_array();
    if (!list) refuse(node, what, "must be a string or a list of strings");
    if (list->empty()) refuse(node, what, "must not be an empty list");
    for (const auto& item : *list) {
      if (!item.is_string()) refuse(item, what, "must be a string or a list of strings");
      out.push_back(nonEmptyString(item, what));
    }
    return out;
  }

  // Each element of a string-or-list value with its own node, for per-entry errors.
  std::vector<const toml::node*> stringNodes(const toml::node& node,
                                             const std::string& what) const {
    (void)strings(node, what);  // the type checks
    std::vector<const toml::node*> out;
    if (const toml::array* list = node.as_array()) {
      for (const auto& item : *list) out.push_back(&item);
    } else {
      out.push_back(&node);
    }
    return out;
  }

  std::int64_t integer(const toml::node& node, const std::string& what, std::int64_t min,
                       std::int64_t max) const {
    const auto* i = node.as_integer();
    if (!i) refuse(node, what, "must be an integer");
    const std::int64_t v = i->get();
    if (v < min || v > max) {
      refuse(node, what, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return v;
  }

  bool boolean(const toml::node& node, const std::string& what) const {
    const auto* b = node.as_boolean();
    if (!b) refuse(node, what, "must be true or false");
    return b->get();
  }

  Regex regex(const toml::node& node, const std::string& what) const {
    auto compiled = Regex::compile(nonEmptyString(node, what));
    if (auto* error = std::get_if<std::string>(&compiled)) {
      refuse(node, what, "is a bad regex: " + *error);
    }
    return std::move(std::get<Regex>(compiled));
  }

  NameSet names(const toml::node& node, const std::string& what) const {
    return NameSet(strings(node, what));
  }

  HostPatterns networks(const toml::node& node, const std::string& what) const {
    HostPatterns out;
    for (const toml::node* item : stringNodes(node, what)) {
      CidrError error;
      const auto cidr = parseCidr(item->as_string()->get(), &error);
      if (!cidr) refuse(*item, what, "has a " + error.reason);
      out.addNetwork(*cidr);
    }
    return out;
  }

  HostPatterns globs(const toml::node& node, const std::string& what) const {
    HostPatterns out;
    for (auto& glob : strings(node, what)) out.addGlob(std::move(glob));
    return out;
  }

  // remote_host_not_in: each entry a CIDR (or an address) or a host name glob. Anything that
  // looks like an address but does not parse is refused rather than taken as a glob that
  // could never match.
  HostPatterns networksOrGlobs(const toml::node& node, const std::string& what) const {
    HostPatterns out;
    for (const toml::node* item : stringNodes(node, what)) {
      const std::string& text = item->as_string()->get();
      CidrError error;
      if (const auto cidr = parseCidr(text, &error)) {
        out.addNetwork(*cidr);
      } else if (looksLikeAddress(text)) {
        refuse(*item, what, "has a " + error.reason);
      } else {
        out.addGlob(text);
      }
    }
    return out;
  }

  // A date, YYYY-MM-DD (a TOML date or a string), to the first instant after it in UTC.
  std::pair<std::string, common::Timestamp> date(const toml::node& node,
                                                 const std::string& what) const {
    int y = 0;
    unsigned m = 0, d = 0;
    if (const auto* native = node.as_date()) {
      y = native->get().year;
      m = native->get().month;
      d = native->get().day;
    } else if (const auto* s = node.as_string()) {
      const std::string& text = s->get();
      if (!parseDateText(text, y, m, d)) {
        refuse(node, what, "must be a date, YYYY-MM-DD (not " + inQuotes(text) + ")");
      }
    } else {
      refuse(node, what, "must be a date, YYYY-MM-DD");
    }
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok() || y < 1970 || y > 9999) {
      refuse(node, what, "is not a calendar date");
    }
    char text[32];  // room for any int, as the compiler cannot see the checks above
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", y, m, d);
    const auto ends = std::chrono::sys_days{ymd} + std::chrono::days{1};
    return {text, std::chrono::time_point_cast<std::chrono::microseconds>(ends)};
  }

 private:
  static bool looksLikeAddress(std::string_view text) {
    if (text.find('/') != std::string_view::npos) return true;
    const bool colon = text.find(':') != std::string_view::npos;
    const bool dotted_digits = text.find('.') != std::string_view::npos &&
                               text.find_first_not_of("0123456789.") == std::string_view::npos;
    return dotted_digits ||
           (colon && text.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos);
  }

  static bool parseDateText(std::string_view text, int& y, unsigned& m, unsigned& d) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    auto digits = [&](std::size_t from, std::size_t n, auto& out) {
      const char* b = text.data() + from;
      const auto [end, ec] = std::from_chars(b, b + n, out);
      return ec == std::errc{} && end == b + n &&
             std::all_of(b, b + n, [](char c) { return c >= '0' && c <= '9'; });
    };
    return digits(0, 4, y) && digits(5, 2, m) && digits(8, 2, d);
  }

  const std::string& file_;
};

ProcessMatcher parseProcessMatcher(const Walker& w, const toml::node& node, const std::string& what,
                                   Policy::Compiled& compiled) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kProcessKeys, what);
  if (t.empty()) w.refuse(node, what, "needs at least one of " + joined(kProcessKeys));
  ProcessMatcher m;
  if (const auto* v = t.get("name")) {
    m.name = w.names(*v, what + ".name");
    compiled.uses_process_name = true;
  }
  if (const auto* v = t.get("name_regex")) m.name_regex = w.regex(*v, what + ".name_regex");
  if (const auto* v = t.get("user")) m.user = w.names(*v, what + ".user");
  if (const auto* v = t.get("user_not")) m.user_not = w.names(*v, what + ".user_not");
  if (const auto* v = t.get("uid")) {
    m.uid = w.integer(*v, what + ".uid", 0, std::numeric_limits<std::uint32_t>::max());
  }
  if (const auto* v = t.get("command_regex")) {
    m.command_regex = w.regex(*v, what + ".command_regex");
  }
  if (const auto* v = t.get("command_contains")) {
    m.command_contains = w.nonEmptyString(*v, what + ".command_contains");
  }
  if (const auto* v = t.get("parent_name")) {
    m.parent_name = w.names(*v, what + ".parent_name");
    compiled.uses_parent_name = true;
  }
  return m;
}

SessionMatcher parseSessionMatcher(const Walker& w, const toml::node& node,
                                   const std::string& what) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kSessionKeys, what);
  if (t.empty()) {
    w.refuse(node, what,
             "needs at least one of " + joined(kSessionKeys) + " (max_sessions = 0 forbids all)");
  }
  SessionMatcher m;
  if (const auto* v = t.get("user")) m.user = w.names(*v, what + ".user");
  if (const auto* v = t.get("user_not")) m.user_not = w.names(*v, what + ".user_not");
  if (const auto* v = t.get("tty_regex")) m.tty_regex = w.regex(*v, what + ".tty_regex");
  if (const auto* v = t.get("remote")) m.remote = w.boolean(*v, what + ".remote");
  if (const auto* v = t.get("remote_host_not_in")) {
    m.remote_host_not_in = w.networksOrGlobs(*v, what + ".remote_host_not_in");
  }
  return m;
}

void checkVersionRange(const Walker& w, const toml::table& t, const std::optional<std::string>& min,
                       const std::optional<std::string>& max, const char* min_key,
                       const std::string& what) {
  if (min && max && !versionAtMost(*min, *max)) {
    w.refuse(*t.get(min_key), what, "has " + std::string(min_key) + " above its maximum");
  }
}

OsAlternative parseOsAlternative(const Walker& w, const toml::node& node, const std::string& what) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kOsKeys, what);
  OsAlternative a;
  if (const auto* v = t.get("id")) a.id = w.nonEmptyString(*v, what + ".id");
  if (const auto* v = t.get("name")) a.name = w.nonEmptyString(*v, what + ".name");
  if (!a.id && !a.name) w.refuse(node, what, "needs an id or a name");
  if (const auto* v = t.get("min_version")) {
    a.min_version = w.nonEmptyString(*v, what + ".min_version");
  }
  if (const auto* v = t.get("max_version")) {
    a.max_version = w.nonEmptyString(*v, what + ".max_version");
  }
  checkVersionRange(w, t, a.min_version, a.max_version, "min_version", what);
  return a;
}

OsCheck parseOsCheck(const Walker& w, const toml::node& node, const std::string& what) {
  OsCheck check;
  if (node.is_table()) {
    check.alternatives.push_back(parseOsAlternative(w, node, what));
    return check;
  }
  const toml::array* list = node.as_array();
  if (!list)
    w.refuse(node, what, "must be a list of alternatives ({ id = ..., min_version = ... })");
  if (list->empty()) w.refuse(node, what, "must not be an empty list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    check.alternatives.push_back(
        parseOsAlternative(w, *list->get(i), what + "[" + std::to_string(i) + "]"));
  }
  return check;
}

KernelCheck parseKernelCheck(const Walker& w, const toml::node& node, const std::string& what) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kKernelKeys, what);
  KernelCheck check;
  if (const auto* v = t.get("min")) check.min = w.nonEmptyString(*v, what + ".min");
  if (const auto* v = t.get("max")) check.max = w.nonEmptyString(*v, what + ".max");
  if (!check.min && !check.max) w.refuse(node, what, "needs a min or a max");
  checkVersionRange(w, t, check.min, check.max, "min", what);
  return check;
}

CpuCheck parseCpuCheck(const Walker& w, const toml::node& node, const std::string& what) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kCpuKeys, what);
  const auto* arch = t.get("arch");
  if (!arch) w.refuse(node, what, "needs arch = [...]");
  return CpuCheck{w.strings(*arch, what + ".arch")};
}

AppliesTo parseAppliesTo(const Walker& w, const toml::node& node, const std::string& what) {
  const toml::table& t = w.table(node, what);
  w.checkKeys(t, kAppliesKeys, what);
  AppliesTo a;
  if (const auto* v = t.get("os_id")) a.os_id = w.names(*v, what + ".os_id");
  if (const auto* v = t.get("hostname")) a.hostname = w.globs(*v, what + ".hostname");
  if (const auto* v = t.get("ip")) a.ip = w.networks(*v, what + ".ip");
  return a;
}

// Everything that outlives one file's walk: ids seen so far, and waivers waiting for the rules
// of later files.
struct State {
  ParsedPolicy out;
  struct RuleAt {
    std::string file;
    int line = 0;
    std::size_t index = 0;
  };
  std::map<std::string, RuleAt, std::less<>> rule_at;
  struct PendingWaiver {
    std::string rule;
    std::string file;
    int line = 0;
    CompiledWaiver waiver;
  };
  std::vector<PendingWaiver> waivers;
};

void parseRule(const Walker& w, const std::string& file, const toml::node& node, State& state) {
  const toml::table& t = w.table(node, "each [[rules]] entry");
  w.checkKeys(t, kRuleKeys, "a rule", kCheckKeys);
  const auto* id_node = t.get("id");
  if (!id_node) w.refuse(lineOf(node), "a rule needs an id");
  const std::string id = w.string(*id_node, "a rule's id");
  if (!isValidRuleId(id)) {
    w.refuse(*id_node, "rule id " + inQuotes(id),
             "is not [a-z0-9][a-z0-9._-]{0,63} (lower case, digits, '.', '_', '-')");
  }
  if (const auto seen = state.rule_at.find(id); seen != state.rule_at.end()) {
    w.refuse(*id_node, "rule id " + inQuotes(id),
             "is a duplicate (first at " + seen->second.file + ":" +
                 std::to_string(seen->second.line) + ")");
  }
  const std::string what = "rule " + inQuotes(id) + ":";

  RuleInfo info;
  info.id = id;
  const auto* title = t.get("title");
  if (!title) w.refuse(lineOf(node), what + " title is required");
  info.title = w.nonEmptyString(*title, what + " title");
  const auto* severity = t.get("severity");
  if (!severity) w.refuse(lineOf(node), what + " severity is required");
  const std::string severity_text = w.string(*severity, what + " severity");
  const auto parsed_severity = parseSeverity(severity_text);
  if (!parsed_severity) {
    w.refuse(*severity, what + " severity " + inQuotes(severity_text),
             "is not one of info, low, medium, high, critical");
  }
  info.severity = *parsed_severity;
  if (const auto* v = t.get("rationale")) info.rationale = w.string(*v, what + " rationale");
  if (const auto* v = t.get("remediation")) info.remediation = w.string(*v, what + " remediation");
  if (const auto* v = t.get("references")) info.references = w.strings(*v, what + " references");

  std::vector<std::string_view> checks;
  for (const auto key : kCheckKeys) {
    if (t.contains(key)) checks.push_back(key);
  }
  if (checks.empty()) {
    w.refuse(lineOf(node), what + " no check; a rule has exactly one of " + joined(kCheckKeys));
  }
  if (checks.size() > 1) {
    w.refuse(lineOf(*t.get(checks[1])), what + " two checks (" + std::string(checks[0]) + " and " +
                                            std::string(checks[1]) + "); a rule has exactly one");
  }
  const std::string_view kind = checks.front();
  info.kind = std::string(kind);
  const toml::node& check_node = *t.get(kind);
  const std::string check_what = what + " " + info.kind;

  CompiledRule rule{std::nullopt, MaxSessionsCheck{}, {}};
  auto& compiled = *state.out.compiled;
  if (kind == "require_process" || kind == "forbid_process") {
    rule.check = ProcessCheck{kind == "require_process",
                              parseProcessMatcher(w, check_node, check_what, compiled)};
  } else if (kind == "require_session" || kind == "forbid_session") {
    rule.check =
        SessionCheck{kind == "require_session", parseSessionMatcher(w, check_node, check_what)};
  } else if (kind == "require_os") {
    rule.check = parseOsCheck(w, check_node, check_what);
  } else if (kind == "require_kernel") {
    rule.check = parseKernelCheck(w, check_node, check_what);
  } else if (kind == "require_cpu") {
    rule.check = parseCpuCheck(w, check_node, check_what);
  } else {
    rule.check = MaxSessionsCheck{
        w.integer(check_node, check_what, 0, static_cast<std::int64_t>(common::kMaxSessions))};
  }
  if (const auto* v = t.get("applies_to")) {
    rule.applies_to = parseAppliesTo(w, *v, what + " applies_to");
  }

  state.rule_at.emplace(id, State::RuleAt{file, lineOf(*id_node), state.out.rules.size()});
  compiled.rules.push_back(std::move(rule));
  state.out.rules.push_back(std::move(info));
}

void parseWaiver(const Walker& w, const std::string& file, const toml::node& node, State& state) {
  const toml::table& t = w.table(node, "each [[waivers]] entry");
  w.checkKeys(t, kWaiverKeys, "a waiver");
  const auto* rule = t.get("rule");
  if (!rule) w.refuse(lineOf(node), "a waiver needs the rule it waives");
  State::PendingWaiver pending;
  pending.rule = w.string(*rule, "a waiver's rule");
  pending.file = file;
  pending.line = lineOf(*rule);
  const std::string what = "waiver of " + inQuotes(pending.rule) + ":";
  auto required = [&](const char* key) -> const toml::node& {
    const auto* v = t.get(key);
    if (!v) w.refuse(lineOf(node), what + " " + key + " is required");
    return *v;
  };
  CompiledWaiver& waiver = pending.waiver;
  if (const auto* v = t.get("hosts")) waiver.hosts = w.networks(*v, what + " hosts");
  if (const auto* v = t.get("hostname")) waiver.hostname = w.globs(*v, what + " hostname");
  if (!waiver.hosts && !waiver.hostname) {
    w.refuse(lineOf(node), what + " names no hosts (hosts = [CIDRs] or hostname = globs)");
  }
  waiver.info.reason = w.nonEmptyString(required("reason"), what + " reason");
  waiver.info.owner = w.nonEmptyString(required("owner"), what + " owner");
  auto [text, ends] = w.date(required("expires"), what + " expires");
  waiver.info.expires = std::move(text);
  waiver.ends = ends;
  state.waivers.push_back(std::move(pending));
}

void parseFile(const PolicySource& source, State& state) {
  const Walker w(source.name);
  toml::table root;
  try {
    root = toml::parse(source.text, source.name);
  } catch (const toml::parse_error& e) {
    w.refuse(lineOf(e.source()), std::string(e.description()));
  }
  w.checkKeys(root, kTopKeys, "the policy file");
  if (const auto* p = root.get("policy")) {
    const toml::table& t = w.table(*p, "[policy]");
    w.checkKeys(t, kPolicyKeys, "[policy]");
    // Each from the first file that has it.
    if (const auto* v = t.get("name")) {
      std::string name = w.string(*v, "[policy] name");
      if (state.out.name.empty()) state.out.name = std::move(name);
    }
    if (const auto* v = t.get("version")) {
      std::string version = w.string(*v, "[policy] version");
      if (state.out.version.empty()) state.out.version = std::move(version);
    }
  }
  auto entries = [&](const char* key, auto&& each) {
    const auto* node = root.get(key);
    if (!node) return;
    const toml::array* list = node->as_array();
    if (!list) {
      w.refuse(*node, std::string(key),
               "must be an array of tables ([[" + std::string(key) + "]])");
    }
    for (const auto& item : *list) each(item);
  };
  entries("rules", [&](const toml::node& n) { parseRule(w, source.name, n, state); });
  entries("waivers", [&](const toml::node& n) { parseWaiver(w, source.name, n, state); });
}

}  // namespace

bool isValidRuleId(std::string_view id) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || id.size() > 64 || !lower_or_digit(id.front())) return false;
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

std::variant<ParsedPolicy, PolicyError> parsePolicySources(std::span<const PolicySource> sources) {
  if (sources.empty()) return PolicyError{"", 0, "no policy files given"};
  State state;
  state.out.compiled = std::make_shared<Policy::Compiled>();
  try {
    for (const auto& source : sources) parseFile(source, state);
  } catch (const Refused& refused) {
    return refused.error;
  }
  auto& compiled = *state.out.compiled;
  for (auto& pending : state.waivers) {
    const auto at = state.rule_at.find(pending.rule);
    if (at == state.rule_at.end()) {
      return PolicyError{pending.file, pending.line,
                         "waiver for unknown rule " + inQuotes(pending.rule)};
    }
    compiled.rules[at->second.index].waivers.push_back(compiled.waivers.size());
    compiled.waivers.push_back(std::move(pending.waiver));
  }
  return std::move(state.out);
}

}  // namespace vigia::compliance
