#include "agent/collect_report.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cmath>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"

namespace vigia::agent {

namespace {

// Required fields must never be empty, whatever a collector managed to read.
void fillRequiredDefaults(common::Report& report) {
  if (report.host.hostname.empty()) report.host.hostname = "localhost";
  if (report.host.ip.empty()) report.host.ip = "127.0.0.1";
  if (report.os.name.empty()) report.os.name = "Linux";
  if (report.os.version.empty()) report.os.version = "unknown";
  if (report.cpu.model.empty()) report.cpu.model = "unknown";
}

}  // namespace

CollectOutcome collectReport(const CollectContext& context) {
  const auto started = std::chrono::steady_clock::now();
  CollectOutcome outcome;
  common::Report& report = outcome.report;
  report.report_id = common::newUuidV4();
  report.collected_at = common::formatRfc3339Utc(
      std::chrono::time_point_cast<std::chrono::milliseconds>(common::nowUtc()));
  report.agent.version = VIGIA_VERSION;

  for (const auto& collector : makeBuiltinCollectors()) {
    if (auto status = collector->collect(context, report); !status) {
      outcome.warnings.push_back(std::string(collector->name()) + ": " + status.error().message);
    }
  }
  fillRequiredDefaults(report);
  // Before the report goes anywhere, the spool included (docs/cli.md).
  if (context.redactor != nullptr) {
    context.redactor->apply(report);
  } else {
    static const auto defaults = common::CommandRedactor::make(true);
    defaults->apply(report);
  }

  // What this collection cost the host, so the fleet can watch the agent itself.
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - started;
  report.agent.collect_ms = std::round(elapsed.count() * 1000.0) / 1000.0;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    const auto seconds = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    report.agent.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    report.agent.peak_rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
  }
  return outcome;
}

}  // namespace vigia::agent
