#include "common/report_json.hpp"

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
