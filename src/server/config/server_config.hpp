#pragma once

// vigia-server's configuration: defaults, then the TOML file (--config), then flags (SPEC §3).
// Every option is documented in `vigia-server --help` and docs/operations.md.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "server/api/auth.hpp"
#include "server/storage/compliance/compliance_options.hpp"

namespace vigia::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string listen_host = "127.0.0.1";  // parsed from `listen`
  unsigned short listen_port = 8080;
  std::filesystem::path data_dir = "./vigia-data";
  std::string database;  // empty: sqlite:<data_dir>/vigia.db
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  bool csv_formula_guard = true;
  bool files_csv = true;  // [files]: each file store can be turned off
  bool files_jsonl = true;
  std::string files_compress = "zstd";  // closed days: zstd, gzip or none
  int compress_after_hours = 24;
  int retention_days = 0;  // [storage]: 0 keeps everything
  bool fsync = true;
  std::size_t max_connections = 10'000;
  std::size_t max_header_bytes = 16 * 1024;
  int header_timeout_seconds = 30;
  int body_timeout_seconds = 60;
  int shutdown_grace_seconds = 30;
  int threads = 0;  // 0: one per core
  std::size_t max_queued_reports = 4096;
  bool insecure_no_auth = false;
  bool discard_reports = false;  // benchmark only
  AuthConfig auth;               // SHA-256 digests only; the tokens themselves are not kept
  std::filesystem::path tls_cert, tls_key, tls_client_ca;  // empty cert: plain HTTP
  double rate_limit_rps = 50;                              // per client address; 0: off
  double rate_limit_burst = 200;
  // [compliance] (SPEC §5): the policy files, read at start and on SIGHUP.
  std::vector<std::filesystem::path> policies;
  int stale_after_seconds = 900;
  std::vector<WebhookConfig> webhooks;
};

struct ConfigOutcome {
  ServerConfig config;
  bool exit_now = false;  // --help / --version were answered
  int exit_code = 0;
};

// Parses argv (and the TOML file it names). Errors are usage errors: exit status 2.
common::Result<ConfigOutcome> loadServerConfig(int argc, char** argv);

// "host:port" or "[v6]:port" → host, port.
common::Status parseListen(const std::string& text, std::string& host, unsigned short& port);

bool isLoopback(const std::string& host);

}  // namespace vigia::server
