// Fuzzes the policy parser: any bytes as a policy file, as an operator (or a bad deploy) could
// hand the server. Beyond "no crash": a refusal has a reason and a line; a policy that loads
// judges a report with every kind of value without crashing, one verdict per rule, each
// evidence a JSON array of at most kMaxEvidence entries.
//   build/asan/fuzz/policy_fuzzer -dict=fuzz/policy.dict -max_total_time=3600 policies

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "compliance/evaluate.hpp"
#include "compliance/policy.hpp"

namespace {

using vigia::common::Process;
using vigia::common::Report;
using vigia::common::Session;

Process proc(std::int64_t pid, std::int64_t ppid, const char* name, const char* user, int uid,
             const char* command) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.name = name;
  p.user = user;
  p.uid = uid;
  p.command = command;
  return p;
}

const Report& report() {
  static const Report r = [] {
    Report x;
    x.report_id = "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41";
    x.collected_at = "2026-11-22T10:00:00Z";
    x.host.hostname = "web-01";
    x.host.ip = "10.0.0.5";
    x.os = {"Debian GNU/Linux", "12 (bookworm)", "debian", "12", "6.1.0-13-amd64", "x86_64"};
    x.processes = {proc(1, 0, "systemd", "root", 0, "/sbin/init"),
                   proc(500, 1, "nginx", "root", 0, "nginx: master process"),
                   proc(501, 500, "nginx", "www-data", 33, "nginx: worker process"),
                   proc(502, 501, "sh", "www-data", 33, "sh -i"),
                   proc(503, 9999, "xmrig", "nobody", 65534, "/tmp/x stratum+tcp://p:1")};
    x.processes.push_back(proc(504, 1, "bash", "root", 0, ""));
    x.processes.back().command.reset();
    x.processes.back().uid.reset();
    Session s;
    s.user = "root";
    s.tty = "pts/0";
    s.remote_host = "203.0.113.9";
    x.sessions = {s};
    s.user = "alice";
    s.tty = "tty1";
    s.remote_host.reset();
    x.sessions.push_back(s);
    return x;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vigia::compliance::PolicySource sources[] = {
      {"fuzz.toml", std::string(reinterpret_cast<const char*>(data), size)}};
  auto parsed = vigia::compliance::Policy::parse(sources);
  if (const auto* error = std::get_if<vigia::compliance::PolicyError>(&parsed)) {
    if (error->reason.empty() || error->line < 0 || error->file != "fuzz.toml") std::abort();
    return 0;
  }
  const auto& policy = *std::get<std::shared_ptr<const vigia::compliance::Policy>>(parsed);
  if (policy.digest().size() != 64) std::abort();
  const auto verdicts = vigia::compliance::evaluate(policy, report());
  if (verdicts.size() != policy.rules().size()) std::abort();
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    if (verdicts[i].rule != i) std::abort();
    const auto evidence = nlohmann::json::parse(verdicts[i].evidence, nullptr, false);
    if (!evidence.is_array() || evidence.size() > vigia::compliance::kMaxEvidence) std::abort();
    if (policy.ruleIndex(policy.rules()[i].id) != i) std::abort();
  }
  return 0;
}
