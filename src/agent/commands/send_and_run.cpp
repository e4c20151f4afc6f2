#include "agent/commands/send_and_run.hpp"

#include <ctime>
#include <optional>
#include <set>

#include "agent/collect_report.hpp"
#include "agent/delivery/deliver.hpp"
#include "agent/delivery/http_client.hpp"
#include "agent/delivery/spool.hpp"
#include "agent/exit_codes.hpp"
#include "agent/runtime/log.hpp"
#include "agent/runtime/schedule.hpp"
#include "common/report_json.hpp"

namespace vigia::agent {
namespace {

// Everything a delivery cycle needs, rebuilt when the configuration changes.
struct Deliverer {
  AgentConfig config;
  std::optional<common::CommandRedactor> redactor;
  std::optional<Spool> spool;
  std::unique_ptr<HttpClient> client;
  std::set<std::string> last_warnings;  // collector warnings are logged when they change

  static common::Result<Deliverer> make(AgentConfig config) {
    Deliverer d;
    HttpClientOptions options;
    options.server = config.server;
    options.token = config.token;
    options.ca_file = config.ca_file;
    options.client_cert = config.client_cert;
    options.client_key = config.client_key;
    options.connect_timeout = std::chrono::seconds(std::min(10, config.timeout_seconds));
    auto client = HttpClient::create(options);
    if (!client) return client.error();
    d.client = std::move(*client);
    auto redactor = common::CommandRedactor::make(config.redact, config.redact_patterns);
    if (!redactor) return redactor.error();  // checked when loaded: not expected
    d.redactor.emplace(std::move(*redactor));
    d.config = std::move(config);
    d.openSpool();
    return d;
  }

  void openSpool() {
    auto opened = Spool::open(config.spool_dir,
                              SpoolLimits{config.spool_max_reports, config.spool_max_bytes});
    if (opened) {
      spool.emplace(std::move(*opened));
    } else {
      logError(opened.error().message +
               "; reports are sent without a spool and are lost if "
               "the server cannot take them");
    }
  }

  DeliveryPolicy policy() const {
    DeliveryPolicy p;
    p.timeout = std::chrono::seconds(config.timeout_seconds);
    return p;
  }

  DeliverySummary cycle(SignalEvents& events) {
    CollectContext context;
    context.redactor = redactor ? &*redactor : nullptr;
    const std::string host = serverHost(config.server);
    if (!host.empty()) context.server_host = host;
    auto outcome = collectReport(context);
    const std::set<std::string> warnings(outcome.warnings.begin(), outcome.warnings.end());
    if (warnings != last_warnings) {
      for (const auto& w : warnings) logWarning(w);
      last_warnings = warnings;
    }
    const std::string json =
        common::toJson(outcome.report)
            .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    const std::string& id = outcome.report.report_id;
    const Sleeper sleep = [&events](std::chrono::milliseconds d) {
      return events.sleepUnlessStopped(d);
    };

    if (!spool) openSpool();  // it may be back (disk freed, directory fixed)
    if (spool) {
      if (auto put = spool->put(json, id); put) {
        return deliverPending(*spool, *client, policy(), sleep);
      } else {
        logError("cannot spool report " + id + ": " + put.error().message +
                 "; sending it without a spool");
      }
    }
    auto summary = deliverUnspooled(*client, json, id, policy(), sleep);
    if (summary.pending > 0) logError("report " + id + " lost: not spooled, not delivered");
    if (spool) {
      // The report above was lost, but older ones may still go.
      const auto older = deliverPending(*spool, *client, policy(), sleep);
      summary.delivered += older.delivered;
      summary.rejected += older.rejected;
      summary.auth_refused = summary.auth_refused || older.auth_refused;
      summary.pending += older.pending;
    }
    return summary;
  }
};

void logSummary(const DeliverySummary& s) {
  std::string line = "delivered " + std::to_string(s.delivered) + " report(s)";
  if (s.rejected > 0) line += ", " + std::to_string(s.rejected) + " rejected";
  line += ", " + std::to_string(s.pending) + " pending in the spool";
  if (s.pending > 0 && !s.last_problem.empty()) line += " (last problem: " + s.last_problem + ")";
  logInfo(line);
}

std::string localTime(WallClock::time_point t) {
  const std::time_t seconds = WallClock::to_time_t(t);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%H:%M:%S", &tm);
  return text;
}

}  // namespace

int sendOnce(const AgentConfig& config, SignalEvents& events) {
  auto deliverer = Deliverer::make(config);
  if (!deliverer) {
    logError(deliverer.error().message);
    return kExitUsage;
  }
  const DeliverySummary summary = deliverer->cycle(events);
  logSummary(summary);
  if (summary.stopped && summary.pending > 0) return kExitNotDelivered;
  return exitCodeFor(summary);
}

int runLoop(AgentConfig config, const std::function<common::Result<AgentConfig>()>& reload,
            SignalEvents& events) {
  auto made = Deliverer::make(std::move(config));
  if (!made) {
    logError(made.error().message);
    return kExitUsage;
  }
  Deliverer deliverer = std::move(*made);
  auto interval = std::chrono::milliseconds(deliverer.config.interval_seconds * 1000LL);
  auto offset = randomSlotOffset(interval);
  logInfo("running: a report every " + std::to_string(deliverer.config.interval_seconds) +
          " s to " + deliverer.config.server + ", spool " + deliverer.config.spool_dir.string());

  for (;;) {
    if (events.takeReload()) {
      auto fresh = reload();
      auto rebuilt =
          fresh ? Deliverer::make(std::move(*fresh)) : common::Result<Deliverer>(fresh.error());
      if (!rebuilt) {
        logError("reload refused, keeping the running configuration: " + rebuilt.error().message);
      } else {
        deliverer = std::move(*rebuilt);
        interval = std::chrono::milliseconds(deliverer.config.interval_seconds * 1000LL);
        offset = randomSlotOffset(interval);
        logInfo("configuration reloaded; next report at " +
                localTime(nextSlot(WallClock::now(), interval, offset)));
      }
    }
    const auto slot = nextSlot(WallClock::now(), interval, offset);
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(slot - WallClock::now());
    const auto event = events.waitFor(wait);
    if (event == SignalEvents::Event::kStop) break;
    if (event == SignalEvents::Event::kReload) continue;
    const DeliverySummary summary = deliverer.cycle(events);
    // A clean cycle is silent: one line a minute per host would drown the journal.
    if (summary.delivered != 1 || summary.pending > 0 || summary.rejected > 0) logSummary(summary);
    if (events.stopRequested()) break;
  }
  logInfo("stopping");
  return kExitOk;
}

}  // namespace vigia::agent
