#pragma once

// vigia-agent's settings: defaults, then the TOML file, then the environment (VIGIA_SERVER,
// VIGIA_TOKEN), then flags; each option is a row of agent_options.cpp. Loading is separate from
// the command line so that `run` can reload the same sources on SIGHUP.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/options/option_table.hpp"
#include "common/result.hpp"

namespace vigia::agent {

struct AgentConfig {
  std::string server;  // base URL: scheme://host[:port][/prefix]
  std::string token;   // the secret itself, given or read from token_file; never logged
  std::filesystem::path token_file;
  std::filesystem::path ca_file;
  std::filesystem::path client_cert;  // mutual TLS (both or neither)
  std::filesystem::path client_key;
  std::filesystem::path spool_dir;  // empty until loaded: then the default of defaultSpoolDir
  std::size_t spool_max_reports = 0;
  std::uint64_t spool_max_bytes = 0;
  int interval_seconds = 0;
  int timeout_seconds = 0;
  bool allow_insecure_http = false;
  bool redact = false;                       // secrets in command lines become ***
  std::vector<std::string> redact_patterns;  // more RE2 patterns, checked when loaded
};

using Environment = options::Environment;

// What the command line said: the config file, and the flags of the option table as given.
struct AgentFlags {
  std::optional<std::string> config_file;
  options::GivenFlags given;
};

// The variables the agent reads: the table's (VIGIA_SERVER, VIGIA_TOKEN), STATE_DIRECTORY
// and HOME.
Environment processEnvironment();

// Merges every source; any error is a configuration error (exit 2). `need_server` is false for
// commands that do not deliver.
common::Result<AgentConfig> loadAgentConfig(const AgentFlags& flags, const Environment& env,
                                            bool need_server = true);

// The configuration as loaded before its token file is read and its defaults computed, as
// --print-config shows it; errors as loadAgentConfig's.
common::Result<AgentConfig> loadAgentConfigAsWritten(const AgentFlags& flags,
                                                     const Environment& env, bool need_server);

// docs/cli.md: $STATE_DIRECTORY/spool under systemd, else /var/lib/vigia/spool when it can be
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
