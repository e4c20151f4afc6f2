#include "common/validate.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "common/identifiers.hpp"

namespace vigia::common {
namespace {

Error fieldError(const std::string& path, const std::string& what) {
  return makeError(ErrorCode::kInvalidArgument, path + ": " + what);
}

// Strings anywhere in the document, keys included, are bounded: unknown fields are kept and
// stored, so they must obey the same limit as known ones.
std::optional<Error> checkStringLimits(const Json& value, const std::string& path) {
  switch (value.type()) {
    case Json::value_t::string:
      if (value.get_ref<const std::string&>().size() > kMaxStringBytes) {
        return fieldError(path, "string longer than " + std::to_string(kMaxStringBytes) + " bytes");
      }
      return std::nullopt;
    case Json::value_t::object:
      for (const auto& [key, child] : value.items()) {
        const std::string child_path = path.empty() ? key : path + "." + key;
        if (key.size() > kMaxStringBytes) return fieldError(path, "key longer than limit");
        if (auto e = checkStringLimits(child, child_path)) return e;
      }
      return std::nullopt;
    case Json::value_t::array: {
      std::size_t i = 0;
      for (const auto& child : value) {
        if (auto e = checkStringLimits(child, path + "[" + std::to_string(i++) + "]")) return e;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

// Reads the fields of one JSON object, remembering the first error. Each getter names the field
// by its full path so the error message points at it.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::optional<Error>& error() const { return error_; }

  std::string path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  const Json* find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  std::string requiredString(const char* key, bool allow_empty = false) {
    const Json* v = find(key);
    if (!v) return fail(key, "required"), std::string();
    if (!v->is_string()) return fail(key, "expected a string"), std::string();
    const auto& s = v->get_ref<const std::string&>();
    if (!allow_empty && s.empty()) fail(key, "must not be empty");
    return s;
  }

  std::optional<std::string> optionalString(const char* key) {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return fail(key, "expected a string"), std::nullopt;
    return v->get<std::string>();
  }

  // Optional RFC 3339 time, returned in canonical UTC form.
  std::optional<std::string> optionalTime(const char* key) {
    auto text = optionalString(key);
    if (!text) return std::nullopt;
    auto t = parseRfc3339(*text);
    if (!t) return fail(key, t.error().message), std::nullopt;
    return formatRfc3339Utc(*t);
  }

  std::optional<std::int64_t> optionalInteger(const char* key, std::int64_t min, std::int64_t max,
                                              const char* expectation) {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    return integerValue(*v, key, min, max, expectation);
  }

  std::optional<std::int64_t> integerValue(const Json& v, const char* key, std::int64_t min,
                                           std::int64_t max, const char* expectation) {
    std::int64_t n = 0;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return fail(key, expectation), std::nullopt;
      }
      n = static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
      n = v.get<std::int64_t>();
    } else {
      return fail(key, expectation), std::nullopt;
    }
    if (n < min || n > max) return fail(key, expectation), std::nullopt;
    return n;
  }

  std::optional<double> optionalNonNegativeNumber(const char* key) {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) return fail(key, "expected a non-negative number"), std::nullopt;
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < 0)
      return fail(key, "expected a non-negative number"), std::nullopt;
    return d;
  }

  // A nested object that must be present (host, os, cpu) or may be absent (agent).
  const Json* object(const char* key, bool required) {
    const Json* v = find(key);
    if (!v) {
      if (required) fail(key, "required");
      return nullptr;
    }
    if (!v->is_object()) return fail(key, "expected an object"), nullptr;
    return v;
  }

  void fail(const char* key, const std::string& what) {
    if (!error_) error_ = fieldError(path(key), what);
  }

 private:
  const Json& object_;
  std::string path_;
  std::optional<Error> error_;
};

constexpr std::int64_t kMaxPid = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxUid = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMaxCount = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

std::optional<Error> readAgent(ObjectReader& top, AgentInfo& agent) {
  const Json* j = top.object("agent", false);
  if (!j) return top.error();
  ObjectReader r(*j, "agent");
  agent.version = r.optionalString("version").value_or("");
  agent.collect_ms = r.optionalNonNegativeNumber("collect_ms");
  agent.cpu_seconds = r.optionalNonNegativeNumber("cpu_seconds");
  agent.peak_rss_bytes =
      r.optionalInteger("peak_rss_bytes", 0, kMaxInt, "expected a non-negative integer");
  return r.error();
}

std::optional<Error> readHost(ObjectReader& top, HostInfo& host) {
  const Json* j = top.object("host", true);
  if (!j) return top.error();
  ObjectReader r(*j, "host");
  host.hostname = r.requiredString("hostname");
  const std::string ip = r.requiredString("ip");
  if (!r.error()) {
    auto canonical = canonicalIp(ip);
    if (!canonical)
      r.fail("ip", canonical.error().message);
    else
      host.ip = std::move(*canonical);
  }
  host.machine_id = r.optionalString("machine_id");
  host.boot_time = r.optionalTime("boot_time");
  return r.error();
}

std::optional<Error> readOs(ObjectReader& top, OsInfo& os) {
  const Json* j = top.object("os", true);
  if (!j) return top.error();
  ObjectReader r(*j, "os");
  os.name = r.requiredString("name");
  os.version = r.requiredString("version");
  os.id = r.optionalString("id");
  os.version_id = r.optionalString("version_id");
  os.kernel = r.optionalString("kernel");
  os.arch = r.optionalString("arch");
  return r.error();
}

std::optional<Error> readCpu(ObjectReader& top, CpuInfo& cpu) {
  const Json* j = top.object("cpu", true);
  if (!j) return top.error();
  ObjectReader r(*j, "cpu");
  cpu.vendor = r.optionalString("vendor");
  cpu.model = r.requiredString("model");
  cpu.arch = r.optionalString("arch");
  constexpr const char* kCount = "expected a non-negative integer";
  cpu.sockets = r.optionalInteger("sockets", 0, kMaxCount, kCount);
  cpu.cores = r.optionalInteger("cores", 0, kMaxCount, kCount);
  cpu.threads = r.optionalInteger("threads", 0, kMaxCount, kCount);
  cpu.mhz = r.optionalNonNegativeNumber("mhz");
  return r.error();
}

std::optional<Error> readProcess(const Json& j, const std::string& path, Process& p) {
  if (!j.is_object()) return fieldError(path, "expected an object");
  ObjectReader r(j, path);
  const Json* pid = r.find("pid");
  if (!pid)
    r.fail("pid", "required");
  else
    p.pid = r.integerValue(*pid, "pid", 1, kMaxPid, "expected a positive integer").value_or(0);
  p.ppid = r.optionalInteger("ppid", 0, kMaxPid, "expected a non-negative integer");
  p.name = r.requiredString("name", /*allow_empty=*/true);
  p.user = r.requiredString("user", /*allow_empty=*/true);
  p.uid = r.optionalInteger("uid", 0, kMaxUid, "expected a non-negative integer");
  p.state = r.optionalString("state");
  p.command = r.optionalString("command");
  p.started_at = r.optionalTime("started_at");
  p.rss_bytes = r.optionalInteger("rss_bytes", 0, kMaxInt, "expected a non-negative integer");
  p.cpu_seconds = r.optionalNonNegativeNumber("cpu_seconds");
  return r.error();
}

std::optional<Error> readSession(const Json& j, const std::string& path, Session& s) {
  if (!j.is_object()) return fieldError(path, "expected an object");
  ObjectReader r(j, path);
  s.user = r.requiredString("user");
  s.tty = r.requiredString("tty", /*allow_empty=*/true);
  s.remote_host = r.optionalString("remote_host");
  s.login_time = r.optionalTime("login_time");
  s.pid = r.optionalInteger("pid", 1, kMaxPid, "expected a positive integer");
  return r.error();
}

template <typename Item, typename ReadOne>
std::optional<Error> readArray(ObjectReader& top, const char* key, std::size_t max_items,
                               std::vector<Item>& out, ReadOne read_one) {
  const Json* j = top.find(key);
  if (!j) return fieldError(key, "required");
  if (!j->is_array()) return fieldError(key, "expected an array");
  if (j->size() > max_items) {
    return fieldError(key, "more than " + std::to_string(max_items) + " items");
  }
  out.resize(j->size());
  for (std::size_t i = 0; i < j->size(); ++i) {
    if (auto e = read_one((*j)[i], std::string(key) + "[" + std::to_string(i) + "]", out[i])) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Json> parseJson(std::string_view text) {
  // The callback sees every value as it is parsed: it enforces depth and rejects duplicate keys
  // (two parsers reading one document differently is how validation gets bypassed).
  std::optional<Error> error;
  std::vector<std::set<std::string>> keys_per_object;
  auto callback = [&](int depth, nlohmann::detail::parse_event_t event, Json& parsed) {
    using nlohmann::detail::parse_event_t;
    if (error) return false;
    switch (event) {
      case parse_event_t::object_start:
      case parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) {
          error = makeError(ErrorCode::kInvalidArgument,
                            "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
          return false;
        }
        if (event == parse_event_t::object_start) keys_per_object.emplace_back();
        return true;
      case parse_event_t::object_end:
        keys_per_object.pop_back();
        return true;
      case parse_event_t::key:
        if (!keys_per_object.back().insert(parsed.get<std::string>()).second) {
          error = makeError(ErrorCode::kInvalidArgument,
                            "duplicate key \"" + parsed.get<std::string>().substr(0, 64) + "\"");
          return false;
        }
        return true;
      default:
        return true;
    }
  };
  // allow_exceptions=false does not cover everything: a number too large for a double
  // ("1e999") still throws out_of_range.406 from the DOM builder. Catch every nlohmann error
  // here, at the boundary, so bad input can never terminate the server (found by the fuzzer).
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  } catch (const Json::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, e.what());
  }
  if (error) return *error;
  if (doc.is_discarded()) {
    // Parse again without the callback only to get nlohmann's precise message (position and
    // reason, e.g. "invalid string: ill-formed UTF-8 byte"). This path is for bad input only.
    try {
      const Json unused = Json::parse(text.begin(), text.end());
      (void)unused;
    } catch (const Json::exception& e) {
      return makeError(ErrorCode::kInvalidArgument, e.what());
    }
    return makeError(ErrorCode::kInvalidArgument, "malformed JSON");
  }
  return doc;
}

Result<Report> validateReport(const Json& doc) {
  if (!doc.is_object()) return makeError(ErrorCode::kInvalidArgument, "report: expected an object");
  if (auto e = checkStringLimits(doc, "")) return *e;

  // The server adds its receipt under "server" (SPEC §4, JSON Lines); a report may not forge it.
  if (doc.contains("server")) return fieldError("server", "reserved for the server's receipt");

  Report report;
  ObjectReader top(doc, "");
  const Json* version = top.find("schema_version");
  if (!version) return fieldError("schema_version", "required");
  if (!version->is_number_integer() || version->get<std::int64_t>() != kSchemaVersion) {
    return fieldError("schema_version", "expected 1");
  }

  const std::string id = top.requiredString("report_id");
  if (top.error()) return *top.error();
  auto uuid = canonicalUuid(id);
  if (!uuid) return fieldError("report_id", uuid.error().message);
  report.report_id = std::move(*uuid);

  const std::string collected = top.requiredString("collected_at");
  if (top.error()) return *top.error();
  auto collected_at = parseRfc3339(collected);
  if (!collected_at) return fieldError("collected_at", collected_at.error().message);
  report.collected_at = formatRfc3339Utc(*collected_at);

  if (auto e = readAgent(top, report.agent)) return *e;
  if (auto e = readHost(top, report.host)) return *e;
  if (auto e = readOs(top, report.os)) return *e;
  if (auto e = readCpu(top, report.cpu)) return *e;
  if (auto e = readArray(top, "processes", kMaxProcesses, report.processes, readProcess)) return *e;
  if (auto e = readArray(top, "sessions", kMaxSessions, report.sessions, readSession)) return *e;
  return report;
}

Result<ValidatedReport> parseAndValidate(std::string_view text) {
  auto doc = parseJson(text);
  if (!doc) return doc.error();
  auto report = validateReport(*doc);
  if (!report) return report.error();
  auto collected_at = parseRfc3339(report->collected_at);
  return ValidatedReport{std::move(*doc), std::move(*report), *collected_at};
}

}  // namespace vigia::common
