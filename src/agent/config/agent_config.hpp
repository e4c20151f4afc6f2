#pragma once

// vigia-agent's delivery settings (SPEC §2): defaults, then the TOML file, then the environment
// (VIGIA_SERVER, VIGIA_TOKEN), then flags. Loading is separate from the command line so that
// `run` can reload the same sources on SIGHUP.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace vigia::agent {

struct AgentConfig {
  std::string server;  // base URL: scheme://host[:port][/prefix]
  std::string token;   // the secret itself, read from token or token_file; never logged
  std::filesystem::path ca_file;
  std::filesystem::path client_cert;  // mutual TLS (both or neither)
  std::filesystem::path client_key;
  std::filesystem::path spool_dir;
  std::size_t spool_max_reports = 1000;
  std::uint64_t spool_max_bytes = 268'435'456;
  int interval_seconds = 60;
  int timeout_seconds = 30;
  bool allow_insecure_http = false;
  bool redact = true;                        // secrets in command lines become *** (SPEC §2)
  std::vector<std::string> redact_patterns;  // more RE2 patterns, checked when loaded
};

// What the command line said; every field unset means "not given".
struct AgentFlags {
  std::optional<std::string> config_file;
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> token_file;
  std::optional<std::string> ca_file;
  std::optional<std::string> client_cert;
  std::optional<std::string> client_key;
  std::optional<std::string> spool_dir;
  std::optional<int> interval_seconds;
  std::optional<int> timeout_seconds;
};

using Environment = std::map<std::string, std::string>;

// The variables the agent reads: VIGIA_SERVER, VIGIA_TOKEN, STATE_DIRECTORY, HOME.
Environment processEnvironment();

// Merges every source; any error is a configuration error (exit 2). `need_server` is false for
// commands that do not deliver.
common::Result<AgentConfig> loadAgentConfig(const AgentFlags& flags, const Environment& env,
                                            bool need_server = true);

// SPEC §2: $STATE_DIRECTORY/spool under systemd, else /var/lib/vigia/spool when it can be
// created, else $HOME/.local/state/vigia/spool.
std::filesystem::path defaultSpoolDir(const Environment& env);

// A token as read from a file or a flag: trailing white space stripped; refused when empty or
// when it holds characters that cannot travel in an HTTP header.
common::Result<std::string> normalizeToken(std::string token, const std::string& source);

// Plain http:// is allowed only to loopback hosts unless allow_insecure_http says otherwise.
common::Status checkServerUrl(const std::string& url, bool allow_insecure_http);

// localhost, 127.0.0.0/8 or ::1 (brackets allowed).
bool isLoopbackHost(std::string host);

// The host part of a server URL ("[::1]" → "::1"); empty when the URL does not parse.
std::string serverHost(const std::string& url);

}  // namespace vigia::agent
