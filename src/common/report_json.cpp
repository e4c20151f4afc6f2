#include "common/report_json.hpp"

#include <cstdint>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"

namespace vigia::common {
namespace {

template <typename T>
void putOptional(Json& object, const char* key, const std::optional<T>& value) {
  if (value) object[key] = *value;
}

Json agentJson(const AgentInfo& a) {
  Json j = Json::object();
  j["version"] = a.version;
  putOptional(j, "collect_ms", a.collect_ms);
  putOptional(j, "cpu_seconds", a.cpu_seconds);
  putOptional(j, "peak_rss_bytes", a.peak_rss_bytes);
  return j;
}

Json hostJson(const HostInfo& h) {
  Json j = Json::object();
  j["hostname"] = h.hostname;
  j["ip"] = h.ip;
  putOptional(j, "machine_id", h.machine_id);
  putOptional(j, "boot_time", h.boot_time);
  return j;
}

Json osJson(const OsInfo& o) {
  Json j = Json::object();
  j["name"] = o.name;
  j["version"] = o.version;
  putOptional(j, "id", o.id);
  putOptional(j, "version_id", o.version_id);
  putOptional(j, "kernel", o.kernel);
  putOptional(j, "arch", o.arch);
  return j;
}

Json cpuJson(const CpuInfo& c) {
  Json j = Json::object();
  putOptional(j, "vendor", c.vendor);
  j["model"] = c.model;
  putOptional(j, "arch", c.arch);
  putOptional(j, "sockets", c.sockets);
  putOptional(j, "cores", c.cores);
  putOptional(j, "threads", c.threads);
  putOptional(j, "mhz", c.mhz);
  return j;
}

Json processJson(const Process& p) {
  Json j = Json::object();
  j["pid"] = p.pid;
  putOptional(j, "ppid", p.ppid);
  j["name"] = p.name;
  j["user"] = p.user;
  putOptional(j, "uid", p.uid);
  putOptional(j, "state", p.state);
  putOptional(j, "command", p.command);
  putOptional(j, "started_at", p.started_at);
  putOptional(j, "rss_bytes", p.rss_bytes);
  putOptional(j, "cpu_seconds", p.cpu_seconds);
  return j;
}

Json sessionJson(const Session& s) {
  Json j = Json::object();
  j["user"] = s.user;
  j["tty"] = s.tty;
  putOptional(j, "remote_host", s.remote_host);
  putOptional(j, "login_time", s.login_time);
  putOptional(j, "pid", s.pid);
  return j;
}

}  // namespace

Json toJson(const Report& report) {
  Json j = Json::object();
  j["schema_version"] = report.schema_version;
  j["report_id"] = report.report_id;
  j["collected_at"] = report.collected_at;
  j["agent"] = agentJson(report.agent);
  j["host"] = hostJson(report.host);
  j["os"] = osJson(report.os);
  j["cpu"] = cpuJson(report.cpu);
  Json processes = Json::array();
  processes.get_ref<Json::array_t&>().reserve(report.processes.size());
  for (const auto& p : report.processes) processes.push_back(processJson(p));
  j["processes"] = std::move(processes);
  Json sessions = Json::array();
  for (const auto& s : report.sessions) sessions.push_back(sessionJson(s));
  j["sessions"] = std::move(sessions);
  return j;
}

}  // namespace vigia::common

namespace vigia::common {
namespace {

using Plain = nlohmann::json;  // reading needs no key order

// The fields of one JSON object, read by name. The first problem is kept (naming its path) and
// later reads do nothing, as in the validator, so that reading a report is a list of reads
// with one check at the end.
class Fields {
 public:
  Fields(const Plain& object, std::string path, std::optional<Error>& error)
      : object_(object), path_(std::move(path)), error_(error) {}

  void fail(std::string_view key, std::string_view what) {
    if (error_) return;
    error_ = makeError(ErrorCode::kInvalidArgument,
                       (path_.empty() ? std::string(key) : path_ + "." + std::string(key)) + ": " +
                           std::string(what));
  }

  const Plain* find(const char* key) const {
    if (error_) return nullptr;
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  void string(const char* key, std::string& out) {
    std::optional<std::string> v;
    string(key, v);
    if (!v) return fail(key, "required");
    out = std::move(*v);
  }
  void string(const char* key, std::optional<std::string>& out) {
    const Plain* v = find(key);
    if (!v) return;
    if (!v->is_string()) return fail(key, "expected a string");
    out = v->get<std::string>();
  }
  void integer(const char* key, std::optional<std::int64_t>& out, std::int64_t min = 0) {
    const Plain* v = find(key);
    if (!v) return;
    const bool fits =
        v->is_number_integer() && !(v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX);
    if (!fits || v->get<std::int64_t>() < min) {
      return fail(key, min > 0 ? "expected a positive integer" : "expected a non-negative integer");
    }
    out = v->get<std::int64_t>();
  }
  void number(const char* key, std::optional<double>& out) {
    const Plain* v = find(key);
    if (!v) return;
    if (!v->is_number()) return fail(key, "expected a number");
    out = v->get<double>();
  }
  // A nested object; an absent optional one reads as empty.
  Fields object(const char* key, bool required) {
    static const Plain kEmpty = Plain::object();
    const Plain* v = find(key);
    if (!v && required) fail(key, "required");
    if (v && !v->is_object()) fail(key, "expected an object");
    const std::string path = path_.empty() ? key : path_ + "." + key;
    return Fields(v && v->is_object() ? *v : kEmpty, path, error_);
  }
  template <typename T, typename Read>
  void list(const char* key, std::vector<T>& out, Read read) {
    const Plain* v = find(key);
    if (!v) return fail(key, "required");
    if (!v->is_array()) return fail(key, "expected an array");
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size() && !error_; ++i) {
      const Plain& item = (*v)[i];
      const std::string index = std::string(key) + "[" + std::to_string(i) + "]";
      if (!item.is_object()) return fail(index, "expected an object");
      Fields fields(item, index, error_);
      read(fields, out.emplace_back());
    }
  }

 private:
  const Plain& object_;
  std::string path_;
  std::optional<Error>& error_;
};

void readProcess(Fields& f, Process& p) {
  std::optional<std::int64_t> pid;
  f.integer("pid", pid, 1);
  if (!pid) f.fail("pid", "required");
  p.pid = pid.value_or(0);
  f.integer("ppid", p.ppid);
  f.string("name", p.name);
  f.string("user", p.user);
  f.integer("uid", p.uid);
  f.string("state", p.state);
  f.string("command", p.command);
  f.string("started_at", p.started_at);
  f.integer("rss_bytes", p.rss_bytes);
  f.number("cpu_seconds", p.cpu_seconds);
}

void readSession(Fields& f, Session& s) {
  f.string("user", s.user);
  f.string("tty", s.tty);
  f.string("remote_host", s.remote_host);
  f.string("login_time", s.login_time);
  f.integer("pid", s.pid);
}

void readReport(Fields& top, Report& r) {
  std::optional<std::int64_t> schema;
  top.integer("schema_version", schema);
  if (schema != kSchemaVersion) top.fail("schema_version", "expected 1");
  top.string("report_id", r.report_id);
  if (auto id = canonicalUuid(r.report_id)) {
    r.report_id = std::move(*id);
  } else {
    top.fail("report_id", "expected a UUID");
  }
  top.string("collected_at", r.collected_at);
  if (auto t = parseRfc3339(r.collected_at); !t) top.fail("collected_at", t.error().message);

  Fields agent = top.object("agent", false);
  std::optional<std::string> version;
  agent.string("version", version);
  r.agent.version = version.value_or("");
  agent.number("collect_ms", r.agent.collect_ms);
  agent.number("cpu_seconds", r.agent.cpu_seconds);
  agent.integer("peak_rss_bytes", r.agent.peak_rss_bytes);

  Fields host = top.object("host", true);
  host.string("hostname", r.host.hostname);
  host.string("ip", r.host.ip);
  if (auto ip = canonicalIp(r.host.ip)) {
    r.host.ip = std::move(*ip);
  } else {
    host.fail("ip", "expected an IPv4 or IPv6 address");
  }
  host.string("machine_id", r.host.machine_id);
  host.string("boot_time", r.host.boot_time);

  Fields os = top.object("os", true);
  os.string("name", r.os.name);
  os.string("version", r.os.version);
  os.string("id", r.os.id);
  os.string("version_id", r.os.version_id);
  os.string("kernel", r.os.kernel);
  os.string("arch", r.os.arch);

  Fields cpu = top.object("cpu", true);
  cpu.string("vendor", r.cpu.vendor);
  cpu.string("model", r.cpu.model);
  cpu.string("arch", r.cpu.arch);
  cpu.integer("sockets", r.cpu.sockets);
  cpu.integer("cores", r.cpu.cores);
  cpu.integer("threads", r.cpu.threads);
  cpu.number("mhz", r.cpu.mhz);

  top.list("processes", r.processes, readProcess);
  top.list("sessions", r.sessions, readSession);
}

}  // namespace

Result<Report> reportFromJson(std::string_view text) {
  const Plain doc = Plain::parse(text, nullptr, false);
  if (doc.is_discarded()) return makeError(ErrorCode::kInvalidArgument, "not valid JSON");
  if (!doc.is_object()) return makeError(ErrorCode::kInvalidArgument, "expected a JSON object");
  std::optional<Error> error;
  Fields top(doc, "", error);
  Report report;
  readReport(top, report);
  if (error) return std::move(*error);
  return report;
}

}  // namespace vigia::common
