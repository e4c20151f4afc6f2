// Micro-benchmarks of the compliance engine: judging one report against the shipped baseline
// (the server does it for every report it stores, in the transaction that stores it), and
// regexes that would stall a backtracking engine.
//   cmake --build --preset release --target vigia_compliance_bench
//   build/release/bench/vigia_compliance_bench [REPORT.json] [benchmark flags]
// Without a report it judges a built-in 300-process Debian web and database server.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "common/report_json.hpp"
#include "compliance/evaluate.hpp"
#include "compliance/policy.hpp"

namespace {

using vigia::common::Process;
using vigia::common::Report;
using vigia::common::Session;
using vigia::compliance::Policy;

std::optional<Report> g_report_from_file;

Process proc(std::int64_t pid, std::int64_t ppid, std::string name, std::string user,
             std::int64_t uid, std::string command) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.name = std::move(name);
  p.user = std::move(user);
  p.uid = uid;
  p.state = "S";
  p.command = std::move(command);
  p.started_at = "2026-11-20T08:00:01Z";
  return p;
}

// What a busy Debian 12 web and database server lists: mostly kernel threads, then the pools
// of nginx, PHP-FPM and PostgreSQL, the system daemons and a few logged-in users.
Report realisticReport(bool with_findings) {
  Report r;
  r.report_id = "3f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41";
  r.collected_at = "2026-11-22T10:00:00.000Z";
  r.host.hostname = "web-01";
  r.host.ip = "10.20.0.15";
  r.os = {"Debian GNU/Linux", "12 (bookworm)", "debian", "12", "6.1.0-28-amd64", "x86_64"};
  r.cpu.model = "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz";
  auto& ps = r.processes;
  ps.push_back(proc(1, 0, "systemd", "root", 0, "/sbin/init"));
  ps.push_back(proc(2, 0, "kthreadd", "root", 0, "[kthreadd]"));
  std::int64_t pid = 3;
  const char* kernel[] = {"ksoftirqd/", "migration/", "cpuhp/", "kworker/", "idle_inject/"};
  for (int i = 0; i < 140; ++i) {
    const std::string name = std::string(kernel[i % 5]) + std::to_string(i / 5);
    ps.push_back(proc(pid++, 2, name, "root", 0, "[" + name + "]"));
  }
  const std::pair<const char*, const char*> daemons[] = {
      {"systemd-journal", "/lib/systemd/systemd-journald"},
      {"systemd-udevd", "/lib/systemd/systemd-udevd"},
      {"systemd-timesyn", "/lib/systemd/systemd-timesyncd"},
      {"auditd", "/sbin/auditd"},
      {"cron", "/usr/sbin/cron -f"},
      {"dbus-daemon", "/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile"},
      {"rsyslogd", "/usr/sbin/rsyslogd -n -iNONE"},
      {"systemd-logind", "/lib/systemd/systemd-logind"},
      {"agetty", "/sbin/agetty -o -p -- \\u --noclear - linux"},
      {"unattended-upgr",
       "/usr/bin/python3 /usr/share/unattended-upgrades/unattended-upgrade-shutdown "
       "--wait-for-signal"},
      {"polkitd", "/usr/lib/polkit-1/polkitd --no-debug"},
      {"vigia-agent", "/usr/local/bin/vigia-agent run --config /etc/vigia/agent.toml"},
  };
  for (const auto& [name, command] : daemons)
    ps.push_back(proc(pid++, 1, name, "root", 0, command));
  const std::int64_t sshd = pid;
  ps.push_back(
      proc(pid++, 1, "sshd", "root", 0, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"));
  const std::int64_t nginx = pid;
  ps.push_back(proc(pid++, 1, "nginx", "root", 0,
                    "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"));
  for (int i = 0; i < 8; ++i)
    ps.push_back(proc(pid++, nginx, "nginx", "www-data", 33, "nginx: worker process"));
  const std::int64_t fpm = pid;
  ps.push_back(proc(pid++, 1, "php-fpm8.2", "root", 0,
                    "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)"));
  for (int i = 0; i < 50; ++i)
    ps.push_back(proc(pid++, fpm, "php-fpm8.2", "www-data", 33, "php-fpm: pool www"));
  const std::int64_t pg = pid;
  ps.push_back(proc(pid++, 1, "postgres", "postgres", 108,
                    "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c "
                    "config_file=/etc/postgresql/15/main/postgresql.conf"));
  for (int i = 0; i < 60; ++i) {
    ps.push_back(proc(pid++, pg, "postgres", "postgres", 108,
                      "postgres: 15/main: app appdb 10.20.0." + std::to_string(20 + i % 10) + "(" +
                          std::to_string(51000 + i) + ") idle"));
  }
  for (int user = 0; ps.size() < 300; ++user) {
    const std::string name = "ops" + std::to_string(user);
    const std::int64_t priv = pid, session = pid + 1, shell = pid + 2;
    pid += 3;
    ps.push_back(proc(priv, sshd, "sshd", "root", 0, "sshd: " + name + " [priv]"));
    ps.push_back(proc(session, priv, "sshd", name, 1000 + user,
                      "sshd: " + name + "@pts/" + std::to_string(user)));
    ps.push_back(proc(shell, session, "bash", name, 1000 + user, "-bash"));
    Session s;
    s.user = name;
    s.tty = "pts/" + std::to_string(user);
    s.remote_host = "10.20.1." + std::to_string(7 + user);
    s.login_time = "2026-11-22T09:12:40Z";
    s.pid = shell;
    r.sessions.push_back(std::move(s));
  }
  ps.resize(300);
  if (with_findings) {
    // A compromised host: a miner from /tmp, a reverse shell under PHP-FPM, root from outside.
    ps[290] = proc(5000, 1, "xmrig", "www-data", 33,
                   "/tmp/.x/xmrig -o stratum+tcp://pool.example.net:3333");
    ps[291] = proc(5001, fpm + 1, "bash", "www-data", 33, "bash -i");
    Session root;
    root.user = "root";
    root.tty = "pts/9";
    root.remote_host = "198.51.100.23";
    r.sessions.push_back(root);
  }
  return r;
}

std::shared_ptr<const Policy> loadBaseline() {
  const std::filesystem::path files[] = {std::filesystem::path(VIGIA_SOURCE_DIR) / "policies" /
                                         "debian-baseline.toml"};
  auto loaded = Policy::load(files);
  if (auto* e = std::get_if<vigia::compliance::PolicyError>(&loaded)) {
    std::fprintf(stderr, "%s\n", e->message().c_str());
    std::exit(2);
  }
  return std::get<std::shared_ptr<const Policy>>(loaded);
}

// The cost the server adds to storing a report: one verdict per baseline rule.
void BM_EvaluateBaseline(benchmark::State& state) {
  const auto policy = loadBaseline();
  const Report report = g_report_from_file && state.range(0) == 0
                            ? *g_report_from_file
                            : realisticReport(state.range(0) == 1);
  std::size_t failing = 0;
  for (auto _ : state) {
    auto verdicts = vigia::compliance::evaluate(*policy, report);
    failing = 0;
    for (const auto& v : verdicts) failing += vigia::compliance::isFailing(v.status) ? 1 : 0;
    benchmark::DoNotOptimize(verdicts);
  }
  state.counters["processes"] = static_cast<double>(report.processes.size());
  state.counters["rules"] = static_cast<double>(policy->rules().size());
  state.counters["failing"] = static_cast<double>(failing);
  state.SetLabel(state.range(0) == 1 ? "with findings"
                                     : (g_report_from_file ? "file" : "compliant"));
}

// Patterns a backtracking engine takes exponential time on, over 300 commands of N bytes of
// 'a' followed by '!': RE2's time grows with N, linearly (see the BigO line).
void BM_PathologicalRegex(benchmark::State& state) {
  const std::string text = R"([[rules]]
id = "nested-quantifier"
title = "t"
severity = "low"
forbid_process = { command_regex = '(a+)+$' }
[[rules]]
id = "alternation"
title = "t"
severity = "low"
forbid_process = { command_regex = '^(a|aa)*b$' }
[[rules]]
id = "overlapping"
title = "t"
severity = "low"
forbid_process = { command_regex = '(a|a?)+c' }
)";
  const vigia::compliance::PolicySource sources[] = {{"pathological.toml", text}};
  const auto policy = std::get<std::shared_ptr<const Policy>>(Policy::parse(sources));
  Report report = realisticReport(false);
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto& p : report.processes) p.command = std::string(n - 1, 'a') + "!";
  for (auto _ : state) {
    auto verdicts = vigia::compliance::evaluate(*policy, report);
    benchmark::DoNotOptimize(verdicts);
  }
  state.SetComplexityN(state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 3 * 300 * n));
}

void BM_LoadBaseline(benchmark::State& state) {
  for (auto _ : state) {
    auto policy = loadBaseline();
    benchmark::DoNotOptimize(policy);
  }
}

BENCHMARK(BM_EvaluateBaseline)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PathologicalRegex)
    ->RangeMultiplier(2)
    ->Range(512, 8192)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadBaseline)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc >= 2) {
    std::ifstream in(argv[1], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto report = vigia::common::reportFromJson(ss.str());
    if (!report) {
      std::fprintf(stderr, "%s: %s\n", argv[1], report.error().message.c_str());
      return 2;
    }
    g_report_from_file = std::move(*report);
  }
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
