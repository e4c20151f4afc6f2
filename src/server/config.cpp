#include "server/config.hpp"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <charconv>

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

common::Error configError(const std::string& message) {
  return makeError(ErrorCode::kInvalidArgument, message);
}

// Reads one TOML table into the config, refusing keys it does not know: a typo such as
// `max_body_byte` must not silently fall back to a default.
common::Status applyToml(const toml::table& root, ServerConfig& c) {
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    auto need = [&](bool ok, const char* type) -> common::Status {
      if (!ok) return configError("config: " + k + ": expected " + type);
      return common::Ok{};
    };
    common::Status st = common::Ok{};
    if (k == "listen") {
      st = need(node.is_string(), "a string");
      if (st) c.listen = **node.as_string();
    } else if (k == "data_dir") {
      st = need(node.is_string(), "a string");
      if (st) c.data_dir = **node.as_string();
    } else if (k == "database") {
      st = need(node.is_string(), "a string");
      if (st) c.database = **node.as_string();
    } else if (k == "max_body_bytes") {
      st = need(node.is_integer() && **node.as_integer() > 0, "a positive integer");
      if (st) c.max_body_bytes = static_cast<std::size_t>(**node.as_integer());
    } else if (k == "csv" && node.is_table()) {
      for (const auto& [ck, cv] : *node.as_table()) {
        if (ck.str() != "formula_guard" || !cv.is_boolean()) {
          return configError("config: csv." + std::string(ck.str()) +
                             ": unknown key or not a boolean");
        }
        c.csv_formula_guard = **cv.as_boolean();
      }
    } else if (k == "storage" && node.is_table()) {
      for (const auto& [sk, sv] : *node.as_table()) {
        if (sk.str() == "fsync" && sv.is_boolean()) {
          c.fsync = **sv.as_boolean();
        } else if (sk.str() == "max_queued_reports" && sv.is_integer() && **sv.as_integer() > 0) {
          c.max_queued_reports = static_cast<std::size_t>(**sv.as_integer());
        } else {
          return configError("config: storage." + std::string(sk.str()) +
                             ": unknown key or wrong type");
        }
      }
    } else if (k == "http" && node.is_table()) {
      for (const auto& [hk, hv] : *node.as_table()) {
        const std::string h(hk.str());
        if (!hv.is_integer() || **hv.as_integer() < 0) {
          return configError("config: http." + h + ": expected a non-negative integer");
        }
        const auto v = **hv.as_integer();
        if (h == "max_connections" && v > 0)
          c.max_connections = static_cast<std::size_t>(v);
        else if (h == "max_header_bytes" && v > 0)
          c.max_header_bytes = static_cast<std::size_t>(v);
        else if (h == "header_timeout_seconds" && v > 0)
          c.header_timeout_seconds = static_cast<int>(v);
        else if (h == "body_timeout_seconds" && v > 0)
          c.body_timeout_seconds = static_cast<int>(v);
        else if (h == "shutdown_grace_seconds")
          c.shutdown_grace_seconds = static_cast<int>(v);
        else if (h == "threads")
          c.threads = static_cast<int>(v);
        else
          return configError("config: http." + h + ": unknown key or out of range");
      }
    } else if (k == "auth" || k == "tls") {
      // Fail closed: a file asking for tokens or TLS must not start a server without them.
      return configError("config: [" + k + "] is not supported by this version of vigia-server");
    } else {
      return configError("config: unknown key \"" + k + "\"");
    }
    if (!st) return st;
  }
  return common::Ok{};
}

}  // namespace

common::Status parseListen(const std::string& text, std::string& host, unsigned short& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return configError("listen: expected ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  else if (h.find(':') != std::string::npos)
    return configError("listen: write IPv6 as [ADDR]:PORT");
  unsigned value = 0;
  const std::string p = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value > 65535) {
    return configError("listen: port must be 0..65535");
  }
  in6_addr v6{};
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) != 1 && inet_pton(AF_INET6, h.c_str(), &v6) != 1) {
    return configError("listen: \"" + h + "\" is not an IP address");
  }
  host = h;
  port = static_cast<unsigned short>(value);
  return common::Ok{};
}

bool isLoopback(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

common::Result<ConfigOutcome> loadServerConfig(int argc, char** argv) {
  ConfigOutcome outcome;
  ServerConfig& c = outcome.config;
  CLI::App app{"vigia-server: the vigia API. Stores every report in CSV, JSON Lines and SQLite."};
  app.set_version_flag("--version", std::string("vigia-server ") + VIGIA_VERSION);
  app.footer(
      "Config file keys (TOML; flags override them): listen, data_dir, database, max_body_bytes,\n"
      "  [csv] formula_guard = true\n"
      "  [storage] fsync = true, max_queued_reports = 4096\n"
      "  [http] max_connections = 10000, max_header_bytes = 16384, header_timeout_seconds = 30,\n"
      "         body_timeout_seconds = 60, shutdown_grace_seconds = 30, threads = 0 (one per "
      "core)\n"
      "Unknown keys are errors. Exit status: 0 stopped cleanly, 1 cannot open stores or listen,\n"
      "2 usage or configuration error. See docs/operations.md.");

  std::string config_file, listen, data_dir, database;
  std::size_t max_body = 0, max_connections = 0;
  int threads = -1;
  bool no_formula_guard = false, no_fsync = false;
  app.add_option("--config", config_file, "TOML configuration file; flags override it")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen,
                 "ADDR:PORT to listen on (default 127.0.0.1:8080; IPv6 as [::1]:8080)");
  app.add_option("--data-dir", data_dir,
                 "Directory of csv/, json/ and the SQLite file (default ./vigia-data)");
  app.add_option("--database", database, "sqlite:PATH (default sqlite:<data-dir>/vigia.db)");
  app.add_option("--max-body-bytes", max_body,
                 "Largest request body, after decompression too (default 16777216)");
  app.add_option("--max-connections", max_connections, "Open connections at most (default 10000)");
  app.add_option("--threads", threads, "I/O threads (default: one per core)");
  app.add_flag(
      "--no-csv-formula-guard", no_formula_guard,
      "Do not prefix ' to CSV cells starting with = + - @ TAB CR (config: csv.formula_guard)");
  app.add_flag(
      "--no-fsync", no_fsync,
      "Do not fsync (config: storage.fsync = false); a crash may lose acknowledged reports");
  app.add_flag("--insecure-no-auth", c.insecure_no_auth,
               "Allow listening on a non-loopback address without tokens");
  app.add_flag("--discard-reports", c.discard_reports,
               "Benchmark only: validate and answer 201 without storing anything");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    outcome.exit_now = true;
    outcome.exit_code = app.exit(e) == 0 ? 0 : 2;
    return outcome;
  }

  if (!config_file.empty()) {
    toml::table parsed;
    try {
      parsed = toml::parse_file(config_file);
    } catch (const toml::parse_error& err) {
      return configError("config " + config_file + ":" + std::to_string(err.source().begin.line) +
                         ": " + std::string(err.description()));
    }
    if (auto st = applyToml(parsed, c); !st) return st.error();
  }
  if (!listen.empty()) c.listen = listen;
  if (!data_dir.empty()) c.data_dir = data_dir;
  if (!database.empty()) c.database = database;
  if (max_body > 0) c.max_body_bytes = max_body;
  if (max_connections > 0) c.max_connections = max_connections;
  if (threads >= 0) c.threads = threads;
  if (no_formula_guard) c.csv_formula_guard = false;
  if (no_fsync) c.fsync = false;

  if (auto st = parseListen(c.listen, c.listen_host, c.listen_port); !st) return st.error();
  if (c.database.empty()) c.database = "sqlite:" + (c.data_dir / "vigia.db").string();
  if (!c.database.starts_with("sqlite:")) {
    return configError("database: only sqlite:PATH is supported by this version (got \"" +
                       c.database.substr(0, c.database.find(':')) + ":…\")");
  }
  return outcome;
}

}  // namespace vigia::server
