#include "common/validate.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "common/identifiers.hpp"

namespace vigia::common {
namespace {

namespace dom = simdjson::dom;

Error fieldError(const std::string& path, const std::string& what) {
  return makeError(ErrorCode::kInvalidArgument, path + ": " + what);
}

std::string childPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Every object of a report has fewer fields than this: such objects are checked and read
// through a copy of their keys on the stack, larger ones (unknown fields) through the tape.
constexpr std::size_t kSmallObjectFields = 16;

bool hasDuplicateKey(dom::object object) {
  if (object.size() > kSmallObjectFields) {
    std::unordered_set<std::string_view> seen;
    for (auto field : object) {
      if (!seen.insert(field.key).second) return true;
    }
    return false;
  }
  // Pairwise over keys read off the tape once: walking the object again for every key made
  // this the largest single cost of validating a 300-process report. The array is left
  // uninitialized (a string_view array would be zeroed on every call); only [0, count) is read.
  struct Key {
    const char* data;
    std::size_t size;
  };
  Key keys[kSmallObjectFields];
  std::size_t count = 0;
  for (auto field : object) {
    for (std::size_t i = 0; i < count; ++i) {
      if (std::string_view(keys[i].data, keys[i].size) == field.key) return true;
    }
    keys[count++] = {field.key.data(), field.key.size()};
  }
  return false;
}

// The structure rules without building any path: the common case, a valid document, costs one
// walk and no allocation. checkStructure() below finds where a problem is.
bool structureOk(dom::element value) {
  switch (value.type()) {
    case dom::element_type::STRING:
      return std::string_view(value.get_string()).size() <= kMaxStringBytes;
    case dom::element_type::OBJECT: {
      const dom::object object = value.get_object();
      if (hasDuplicateKey(object)) return false;
      for (auto field : object) {
        if (field.key.size() > kMaxStringBytes || !structureOk(field.value)) return false;
      }
      return true;
    }
    case dom::element_type::ARRAY:
      for (dom::element child : value.get_array()) {
        if (!structureOk(child)) return false;
      }
      return true;
    default:
      return true;
  }
}

// Structure rules on the whole document, unknown fields included (they are stored too):
// bounded strings and keys, and no duplicate key in an object (two readers of one document
// must not see different values: that is how validation gets bypassed).
std::optional<Error> checkStructure(dom::element value, const std::string& path) {
  switch (value.type()) {
    case dom::element_type::STRING:
      if (std::string_view(value.get_string()).size() > kMaxStringBytes) {
        return fieldError(path.empty() ? "report" : path,
                          "string longer than " + std::to_string(kMaxStringBytes) + " bytes");
      }
      return std::nullopt;
    case dom::element_type::OBJECT: {
      const dom::object object = value.get_object();
      std::unordered_set<std::string_view> seen;
      for (auto field : object) {
        if (field.key.size() > kMaxStringBytes) {
          return fieldError(path.empty() ? "report" : path, "key longer than limit");
        }
        if (!seen.insert(field.key).second) {
          return makeError(ErrorCode::kInvalidArgument,
                           "duplicate key \"" + std::string(field.key.substr(0, 64)) + "\"");
        }
        if (auto e = checkStructure(field.value, childPath(path, field.key))) return e;
      }
      return std::nullopt;
    }
    case dom::element_type::ARRAY: {
      std::size_t i = 0;
      for (dom::element child : value.get_array()) {
        if (auto e = checkStructure(child, path + "[" + std::to_string(i++) + "]")) return e;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

// Where an object sits: "host", or "processes" with an index. Rendered only for an error
// message, so a valid report of 300 processes builds no path strings at all.
struct Location {
  std::string_view name;
  std::optional<std::size_t> index;

  std::string render() const {
    std::string out(name);
    if (index) out.append("[").append(std::to_string(*index)).append("]");
    return out;
  }
};

// Reads the fields of one JSON object, remembering the first error. Each getter names the field
// by its full path so the error message points at it.
class ObjectReader {
 public:
  ObjectReader(dom::object object, Location location) : object_(object), location_(location) {
    if (object.size() > kSmallObjectFields) return;  // read through the tape, see find()
    for (auto field : object) fields_[field_count_++] = {field.key, field.value};
  }

  const std::optional<Error>& error() const { return error_; }

  std::string path(const char* key) const { return childPath(location_.render(), key); }

  // The search starts after the previous match: the readers below ask for the fields in the
  // order the agent writes them, so a process object costs one comparison per field rather
  // than a scan of the object per field. Any order still works.
  std::optional<dom::element> find(std::string_view key) {
    if (object_.size() > kSmallObjectFields) {
      dom::element value;
      if (object_.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
      return value;
    }
    for (std::size_t n = 0; n < field_count_; ++n) {
      const std::size_t i = (next_field_ + n) % field_count_;
      if (fields_[i].key == key) {
        next_field_ = i + 1;
        return fields_[i].value;
      }
    }
    return std::nullopt;
  }

  std::string requiredString(const char* key, bool allow_empty = false) {
    const auto v = find(key);
    if (!v) return fail(key, "required"), std::string();
    if (!v->is_string()) return fail(key, "expected a string"), std::string();
    const std::string_view s = v->get_string();
    if (!allow_empty && s.empty()) fail(key, "must not be empty");
    return std::string(s);
  }

  // An optional string field as it sits in the parsed document (nothing copied yet); not a
  // string is an error.
  std::optional<std::string_view> optionalText(const char* key) {
    const auto v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return fail(key, "expected a string"), std::nullopt;
    return std::string_view(v->get_string());
  }

  std::optional<std::string> optionalString(const char* key) {
    const auto text = optionalText(key);
    if (!text) return std::nullopt;
    return std::string(*text);
  }

  // Optional RFC 3339 time, returned in canonical UTC form.
  std::optional<std::string> optionalTime(const char* key) {
    const auto text = optionalText(key);
    if (!text) return std::nullopt;
    auto canonical = canonicalRfc3339Utc(*text);
    if (!canonical) return fail(key, canonical.error().message), std::nullopt;
    return std::move(*canonical);
  }

  std::optional<std::int64_t> optionalInteger(const char* key, std::int64_t min, std::int64_t max,
                                              const char* expectation) {
    const auto v = find(key);
    if (!v) return std::nullopt;
    return integerValue(*v, key, min, max, expectation);
  }

  std::optional<std::int64_t> integerValue(dom::element v, const char* key, std::int64_t min,
                                           std::int64_t max, const char* expectation) {
    std::int64_t n = 0;
    if (v.type() == dom::element_type::INT64) {
      n = v.get_int64();
    } else if (v.type() == dom::element_type::UINT64) {
      return fail(key, expectation), std::nullopt;  // beyond int64: beyond every limit here
    } else {
      return fail(key, expectation), std::nullopt;
    }
    if (n < min || n > max) return fail(key, expectation), std::nullopt;
    return n;
  }

  std::optional<double> optionalNonNegativeNumber(const char* key) {
    const auto v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) return fail(key, "expected a non-negative number"), std::nullopt;
    const double d = v->get_double();
    if (!std::isfinite(d) || d < 0)
      return fail(key, "expected a non-negative number"), std::nullopt;
    return d;
  }

  // A nested object that must be present (host, os, cpu) or may be absent (agent).
  std::optional<dom::object> object(const char* key, bool required) {
    const auto v = find(key);
    if (!v) {
      if (required) fail(key, "required");
      return std::nullopt;
    }
    if (!v->is_object()) return fail(key, "expected an object"), std::nullopt;
    return dom::object(v->get_object());
  }

  void fail(const char* key, const std::string& what) {
    if (!error_) error_ = fieldError(path(key), what);
  }

 private:
  struct Field {
    std::string_view key;
    dom::element value;
  };

  dom::object object_;
  Location location_;
  std::array<Field, kSmallObjectFields> fields_;
  std::size_t field_count_ = 0;
  std::size_t next_field_ = 0;
  std::optional<Error> error_;
};

constexpr std::int64_t kMaxPid = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxUid = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMaxCount = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();
constexpr const char* kNonNegative = "expected a non-negative integer";

std::optional<Error> readAgent(ObjectReader& top, AgentInfo& agent) {
  const auto j = top.object("agent", false);
  if (!j) return top.error();
  ObjectReader r(*j, {"agent", std::nullopt});
  agent.version = r.optionalString("version").value_or("");
  agent.collect_ms = r.optionalNonNegativeNumber("collect_ms");
  agent.cpu_seconds = r.optionalNonNegativeNumber("cpu_seconds");
  agent.peak_rss_bytes = r.optionalInteger("peak_rss_bytes", 0, kMaxInt, kNonNegative);
  return r.error();
}

std::optional<Error> readHost(ObjectReader& top, HostInfo& host) {
  const auto j = top.object("host", true);
  if (!j) return top.error();
  ObjectReader r(*j, {"host", std::nullopt});
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
  const auto j = top.object("os", true);
  if (!j) return top.error();
  ObjectReader r(*j, {"os", std::nullopt});
  os.name = r.requiredString("name");
  os.version = r.requiredString("version");
  os.id = r.optionalString("id");
  os.version_id = r.optionalString("version_id");
  os.kernel = r.optionalString("kernel");
  os.arch = r.optionalString("arch");
  return r.error();
}

std::optional<Error> readCpu(ObjectReader& top, CpuInfo& cpu) {
  const auto j = top.object("cpu", true);
  if (!j) return top.error();
  ObjectReader r(*j, {"cpu", std::nullopt});
  cpu.vendor = r.optionalString("vendor");
  cpu.model = r.requiredString("model");
  cpu.arch = r.optionalString("arch");
  cpu.sockets = r.optionalInteger("sockets", 0, kMaxCount, kNonNegative);
  cpu.cores = r.optionalInteger("cores", 0, kMaxCount, kNonNegative);
  cpu.threads = r.optionalInteger("threads", 0, kMaxCount, kNonNegative);
  cpu.mhz = r.optionalNonNegativeNumber("mhz");
  return r.error();
}

std::optional<Error> readProcess(dom::element j, Location where, Process& p) {
  if (!j.is_object()) return fieldError(where.render(), "expected an object");
  ObjectReader r(j.get_object(), where);
  const auto pid = r.find("pid");
  if (!pid)
    r.fail("pid", "required");
  else
    p.pid = r.integerValue(*pid, "pid", 1, kMaxPid, "expected a positive integer").value_or(0);
  p.ppid = r.optionalInteger("ppid", 0, kMaxPid, kNonNegative);
  p.name = r.requiredString("name", /*allow_empty=*/true);
  p.user = r.requiredString("user", /*allow_empty=*/true);
  p.uid = r.optionalInteger("uid", 0, kMaxUid, kNonNegative);
  p.state = r.optionalString("state");
  p.command = r.optionalString("command");
  p.started_at = r.optionalTime("started_at");
  p.rss_bytes = r.optionalInteger("rss_bytes", 0, kMaxInt, kNonNegative);
  p.cpu_seconds = r.optionalNonNegativeNumber("cpu_seconds");
  return r.error();
}

std::optional<Error> readSession(dom::element j, Location where, Session& s) {
  if (!j.is_object()) return fieldError(where.render(), "expected an object");
  ObjectReader r(j.get_object(), where);
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
  const auto j = top.find(key);
  if (!j) return fieldError(key, "required");
  if (!j->is_array()) return fieldError(key, "expected an array");
  const dom::array array = j->get_array();
  if (array.size() > max_items) {
    return fieldError(key, "more than " + std::to_string(max_items) + " items");
  }
  out.resize(array.size());
  std::size_t i = 0;
  for (dom::element item : array) {
    if (auto e = read_one(item, Location{key, i}, out[i])) return e;
    ++i;
  }
  return std::nullopt;
}

Error parseError(simdjson::error_code code) {
  switch (code) {
    case simdjson::DEPTH_ERROR:
      return makeError(ErrorCode::kInvalidArgument,
                       "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    case simdjson::UTF8_ERROR:
      return makeError(ErrorCode::kInvalidArgument, "parse error: the body is not valid UTF-8");
    case simdjson::NUMBER_ERROR:
      return makeError(ErrorCode::kInvalidArgument,
                       std::string("parse error: number overflow or malformed number (") +
                           simdjson::error_message(code) + ")");
    default:
      return makeError(ErrorCode::kInvalidArgument,
                       std::string("parse error: ") + simdjson::error_message(code));
  }
}

Result<ValidatedReport> validateDocument(dom::element doc, const ValidateOptions& options) {
  if (!doc.is_object()) return makeError(ErrorCode::kInvalidArgument, "report: expected an object");
  if (!structureOk(doc)) {
    if (auto e = checkStructure(doc, "")) return *e;
  }
  ObjectReader top(doc.get_object(), {"", std::nullopt});

  // The server adds its receipt under "server" (docs/storage.md, JSON Lines); a report may not
  // forge it.
  if (top.find("server") && !options.allow_server_receipt) {
    return fieldError("server", "reserved for the server's receipt");
  }

  Report report;
  const auto version = top.find("schema_version");
  if (!version) return fieldError("schema_version", "required");
  if (version->type() != dom::element_type::INT64 ||
      std::int64_t(version->get_int64()) != kSchemaVersion) {
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
  return ValidatedReport{std::move(report), *collected_at};
}

// One parser per thread: it keeps its buffers between reports, so steady-state parsing
// allocates nothing for the document itself.
dom::parser& threadParser() {
  thread_local dom::parser parser = [] {
    dom::parser p;
    // allocate() sets the depth limit. Were it to fail (out of memory), every parse() would
    // fail too and be answered as an error, so its result needs no handling of its own.
    [[maybe_unused]] const auto code = p.allocate(64 * 1024, kMaxJsonDepth);
    return p;
  }();
  return parser;
}

}  // namespace

Result<ValidatedReport> parseAndValidate(std::string_view text, ValidateOptions options) {
  dom::parser& parser = threadParser();
  dom::element doc;
  if (const auto code = parser.parse(text.data(), text.size()).get(doc);
      code != simdjson::SUCCESS) {
    return parseError(code);
  }
  return validateDocument(doc, options);
}

}  // namespace vigia::common
