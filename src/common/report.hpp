#pragma once

// The report of docs/report-schema.md as C++ types. Agent and server share these; the JSON mapping
// lives in report_json.hpp and the rules (required fields, limits) in validate.hpp.
//
// Optional fields are std::optional so "absent" and "zero/empty" stay distinct: a process whose
// command line could not be read has no `command`, which is not the same as an empty one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigia::common {

inline constexpr int kSchemaVersion = 1;
inline constexpr std::size_t kMaxStringBytes = 4096;
inline constexpr std::size_t kMaxProcesses = 100'000;
inline constexpr std::size_t kMaxSessions = 10'000;
inline constexpr int kMaxJsonDepth = 32;

// What the agent measured about itself while collecting (all optional `agent.*` fields).
struct AgentInfo {
  std::string version;
  std::optional<double> collect_ms;            // wall time of the collection
  std::optional<double> cpu_seconds;           // agent's user+system CPU time so far
  std::optional<std::int64_t> peak_rss_bytes;  // agent's peak resident set size
};

struct HostInfo {
  std::string hostname;
  std::string ip;
  std::optional<std::string> machine_id;
  std::optional<std::string> boot_time;  // RFC 3339 UTC
};

struct OsInfo {
  std::string name;
  std::string version;
  std::optional<std::string> id;
  std::optional<std::string> version_id;
  std::optional<std::string> kernel;
  std::optional<std::string> arch;
};

struct CpuInfo {
  std::optional<std::string> vendor;
  std::string model;
  std::optional<std::string> arch;
  std::optional<std::int64_t> sockets;
  std::optional<std::int64_t> cores;    // physical cores, all sockets
  std::optional<std::int64_t> threads;  // logical processors online
  std::optional<double> mhz;
};

struct Process {
  std::int64_t pid = 0;
  std::optional<std::int64_t> ppid;
  std::string name;
  std::string user;
  std::optional<std::int64_t> uid;
  std::optional<std::string> state;
  std::optional<std::string> command;
  std::optional<std::string> started_at;  // RFC 3339 UTC
  std::optional<std::int64_t> rss_bytes;
  std::optional<double> cpu_seconds;
};

struct Session {
  std::string user;
  std::string tty;
  std::optional<std::string> remote_host;
  std::optional<std::string> login_time;  // RFC 3339 UTC
  std::optional<std::int64_t> pid;
};

struct Report {
  int schema_version = kSchemaVersion;
  std::string report_id;
  std::string collected_at;
  AgentInfo agent;
  HostInfo host;
  OsInfo os;
  CpuInfo cpu;
  std::vector<Process> processes;
  std::vector<Session> sessions;
};

}  // namespace vigia::common
