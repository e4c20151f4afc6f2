#pragma once

// vigia-server's configuration: defaults, then the TOML file (--config), then flags. Every
// option is a row of the table in server_options.cpp, which gives its default, its flag and
// its help; docs/cli.md explains them.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "server/api/auth.hpp"
#include "server/storage/compliance/compliance_options.hpp"

namespace vigia::server {

struct ServerConfig {
  std::string listen;
  std::string listen_host;  // parsed from `listen`
  unsigned short listen_port = 0;
  std::filesystem::path data_dir;
  std::string database;  // empty: sqlite:<data_dir>/vigia.db
  std::size_t max_body_bytes = 0;
  bool csv_formula_guard = false;
  bool files_csv = false;  // [files]: each file store can be turned off
  bool files_jsonl = false;
  std::string files_compress;  // closed days: zstd, gzip or none
  int compress_after_hours = 0;
  int retention_days = 0;  // [storage]: 0 keeps everything
  bool fsync = false;
  std::size_t max_connections = 0;
  std::size_t max_header_bytes = 0;
  int header_timeout_seconds = 0;
  int body_timeout_seconds = 0;
  int shutdown_grace_seconds = 0;
  int threads = 0;  // 0: one per core
  std::size_t max_queued_reports = 0;
  bool insecure_no_auth = false;
  bool discard_reports = false;  // benchmark only
  // [auth] as configured: digests of the listed tokens, and the token files.
  std::vector<TokenDigest> ingest_tokens, read_tokens;
  std::vector<std::filesystem::path> ingest_token_files, read_token_files;
  AuthConfig auth;  // both together, once loaded; SHA-256 digests only
  std::filesystem::path tls_cert, tls_key, tls_client_ca;  // empty cert: plain HTTP
  double rate_limit_rps = 0;                               // per client address; 0: off
  double rate_limit_burst = 0;
  // [compliance]: the policy files, read at start and on SIGHUP.
  std::vector<std::filesystem::path> policies;
  int stale_after_seconds = 0;
  std::vector<WebhookConfig> webhooks;
};

struct ConfigOutcome {
  ServerConfig config;
  bool exit_now = false;  // --help, --version or --print-config were answered
  int exit_code = 0;
};

// Parses argv (and the TOML file it names). Errors are usage errors: exit status 2.
common::Result<ConfigOutcome> loadServerConfig(int argc, char** argv);

// "host:port" or "[v6]:port" → host, port.
common::Status parseListen(const std::string& text, std::string& host, unsigned short& port);

bool isLoopback(const std::string& host);

}  // namespace vigia::server
