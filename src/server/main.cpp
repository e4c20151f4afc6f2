// vigia-server: loads the configuration, opens (and repairs) the stores, serves HTTP until
// SIGTERM/SIGINT, then finishes in-flight requests and exits 0.

#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <thread>

#include "compliance/policy.hpp"
#include "server/api/api.hpp"
#include "server/config/server_config.hpp"
#include "server/http/http_server.hpp"
#include "server/http/tls_context.hpp"
#include "server/notify/webhook_deliverer.hpp"
#include "server/storage/data_dir.hpp"
#include "server/storage/report_store.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

// Each connection is a file descriptor: let the process use as many as its hard limit allows.
std::size_t raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the server creates holds the fleet's command lines and user names: files 0640,
  // directories 0750 (docs/storage.md), whatever umask it was started with.
  ::umask(027);
  auto log = spdlog::stderr_color_mt("vigia-server");
  spdlog::set_default_logger(log);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  auto loaded = vigia::server::loadServerConfig(argc, argv);
  if (!loaded) {
    spdlog::error("{}", loaded.error().message);
    return kExitUsage;
  }
  if (loaded->exit_now) return loaded->exit_code;
  const vigia::server::ServerConfig& config = loaded->config;

  // Without tokens the API is open to whoever can connect: loopback only, unless the operator
  // says otherwise in so many words.
  const bool auth_on = config.auth.enabled();
  const bool loopback = vigia::server::isLoopback(config.listen_host);
  if (!auth_on && !loopback && !config.insecure_no_auth) {
    spdlog::error(
        "refusing to listen on {} without authentication tokens; configure ingest and read "
        "tokens (--ingest-token-file, --read-token-file, [auth]), use a loopback address, or "
        "--insecure-no-auth if a firewall guards this port",
        config.listen);
    return kExitUsage;
  }
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!config.tls_cert.empty()) {
    auto setup = vigia::server::makeServerTlsContext(
        {.cert = config.tls_cert, .key = config.tls_key, .client_ca = config.tls_client_ca});
    if (!setup) {
      spdlog::error("{}", setup.error().message);
      return kExitUsage;
    }
    for (const auto& warning : setup->warnings) spdlog::warn("tls: {}", warning);
    tls = setup->context;
  }

  const std::size_t fd_limit = raiseFileLimit();
  std::size_t max_connections = config.max_connections;
  if (max_connections + 64 > fd_limit) {
    max_connections = fd_limit > 128 ? fd_limit - 64 : 64;
    spdlog::warn("max_connections lowered to {} by the open-file limit ({})", max_connections,
                 fd_limit);
  }

  vigia::server::StoreOptions store_options;
  store_options.data_dir = config.data_dir;
  store_options.database_url = config.database;
  store_options.csv_formula_guard = config.csv_formula_guard;
  store_options.fsync = config.fsync;
  store_options.max_queued_reports = config.max_queued_reports;
  store_options.csv = config.files_csv;
  store_options.jsonl = config.files_jsonl;
  store_options.compress = config.files_compress;
  store_options.compress_after_hours = config.compress_after_hours;
  store_options.retention_days = config.retention_days;
  // The policy: refused at start with its file, line and reason (exit 2); on SIGHUP a bad one
  // keeps the policy in force.
  const auto loadPolicy =
      [&config]() -> vigia::common::Result<std::shared_ptr<const vigia::compliance::Policy>> {
    if (config.policies.empty()) return std::shared_ptr<const vigia::compliance::Policy>();
    auto parsed = vigia::compliance::Policy::load(config.policies);
    if (auto* error = std::get_if<vigia::compliance::PolicyError>(&parsed)) {
      return vigia::common::makeError(vigia::common::ErrorCode::kInvalidArgument,
                                      "policy " + error->message());
    }
    return std::get<std::shared_ptr<const vigia::compliance::Policy>>(std::move(parsed));
  };
  auto policy = loadPolicy();
  if (!policy) {
    spdlog::error("{}", policy.error().message);
    return kExitUsage;
  }
  store_options.compliance.policy = *policy;
  store_options.compliance.stale_after = std::chrono::seconds(config.stale_after_seconds);
  store_options.compliance.webhooks = config.webhooks;
  auto store = vigia::server::ReportStore::open(store_options);
  if (!store) {
    spdlog::error("cannot open the stores: {}", store.error().message);
    return kExitFailure;
  }

  // Made by an older release, or by hand: say so, since every local user can read them.
  for (const auto& exposed : vigia::server::worldReadable(config.data_dir)) {
    const bool itself = exposed.path == ".";
    spdlog::warn(
        "{}{} can be read by every user (mode {:04o}), and it holds the fleet's command "
        "lines: chmod {} it",
        config.data_dir.string(), itself ? "" : "/" + exposed.path, exposed.mode,
        itself ? "750" : "o-r");
  }

  vigia::server::Metrics metrics;
  // Once, before any thread: libcurl's global state (the webhook senders').
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto webhooks = vigia::server::WebhookDeliverer::start(**store, config.webhooks, metrics);
  if (!webhooks) {
    spdlog::error("cannot start the webhook deliverer: {}", webhooks.error().message);
    return kExitFailure;
  }
  vigia::server::ApiOptions api_options;
  api_options.max_body_bytes = config.max_body_bytes;
  api_options.csv_formula_guard = config.csv_formula_guard;
  api_options.discard_reports = config.discard_reports;
  api_options.auth = config.auth;
  api_options.rate_limit.requests_per_second = config.rate_limit_rps;
  api_options.rate_limit.burst = config.rate_limit_burst;
  vigia::server::Api api(**store, metrics, std::move(api_options));
  vigia::server::HttpOptions http;
  http.host = config.listen_host;
  http.port = config.listen_port;
  http.max_header_bytes = config.max_header_bytes;
  http.max_body_bytes = config.max_body_bytes;
  http.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
  http.body_timeout = std::chrono::seconds(config.body_timeout_seconds);
  http.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  http.max_connections = max_connections;
  http.tls = tls;
  http.on_reload = [&loadPolicy, &metrics, store = store->get()] {
    auto reloaded = loadPolicy();
    if (!reloaded) {
      spdlog::error("SIGHUP: {}; the policy in force stays", reloaded.error().message);
      metrics.policyReloaded(false);
      return;
    }
    const auto& p = *reloaded;
    spdlog::info(
        "SIGHUP: policy {} reloaded; each host's newest report is judged again",
        p ? p->name() + " " + p->version() + " (" + std::to_string(p->rules().size()) + " rules)"
          : std::string("(none)"));
    store->setPolicy(std::move(*reloaded));
    metrics.policyReloaded(true);
  };
  http.threads = config.threads > 0
                     ? config.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  vigia::server::HttpServer server(api, metrics, http);
  auto bound = server.listen();
  if (!bound) {
    spdlog::error("{}", bound.error().message);
    return kExitFailure;
  }
  if (config.discard_reports)
    spdlog::warn("--discard-reports: reports are validated, then DROPPED");
  if (!config.fsync) spdlog::warn("fsync is off: a crash may lose acknowledged reports");
  // Counts only: the tokens themselves are never logged.
  if (auth_on) {
    spdlog::info("authentication on: {} ingest and {} read token(s)", config.auth.ingest.size(),
                 config.auth.read.size());
    if (config.auth.ingest.empty()) spdlog::warn("no ingest token: every report will be refused");
    if (config.auth.read.empty()) spdlog::warn("no read token: the query API cannot be used");
    if (!tls && !loopback) {
      spdlog::warn(
          "tokens and reports cross the network in clear text: serve TLS (--tls-cert, "
          "--tls-key) or put a TLS proxy in front");
    }
  } else if (loopback) {
    spdlog::info("no authentication tokens configured: serving loopback clients only");
  } else {
    spdlog::warn("--insecure-no-auth: anyone who can reach {} can read and write fleet data",
                 config.listen);
  }
  if (tls) {
    spdlog::info("TLS 1.2+ with certificate {}{}", config.tls_cert.string(),
                 config.tls_client_ca.empty() ? ""
                                              : "; client certificates required, signed by " +
                                                    config.tls_client_ca.string());
  }
  if (config.rate_limit_rps > 0) {
    spdlog::info("rate limit per client address: {} requests/s, burst {}", config.rate_limit_rps,
                 config.rate_limit_burst);
  } else {
    spdlog::info("rate limit off");
  }
  spdlog::info("data dir {}, database {}", config.data_dir.string(), config.database);
  if (*policy) {
    spdlog::info("compliance policy {} {}: {} rules, hosts stale after {} s, {} webhook(s)",
                 (*policy)->name(), (*policy)->version(), (*policy)->rules().size(),
                 config.stale_after_seconds, config.webhooks.size());
  } else {
    spdlog::info("no compliance policy configured (--policy, compliance.policies)");
  }
  spdlog::info("listening on {}://{}", tls ? "https" : "http", *bound);

  server.run();
  // Already stopping: a second SIGTERM (systemd, a test harness) must not cut the clean exit
  // short once the HTTP layer, and with it the signal handler, is gone.
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  spdlog::info("shutting down: finishing queued reports");
  (*webhooks)->stop();  // what it has not delivered stays queued for the next start
  (*store)->stop();
  spdlog::info("stopped");
  return 0;
}
