#include "server/config/server_config.hpp"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <iostream>

#include "common/build_info.hpp"
#include "common/identifiers.hpp"
#include "server/config/server_options.hpp"

namespace vigia::server {
namespace {

// Every configuration error is the option table's kind of error.
constexpr auto configError = options::optionError;

// A webhook's token file: its first line, trailing white space stripped.
common::Result<std::string> readSecretFile(const std::string& path, const std::string& where) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return configError(where + ": cannot read " + path);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  if (!common::isBearerTokenText(line)) {
    return configError(where + ": " + path + " does not hold a token (visible ASCII, no spaces)");
  }
  return line;
}

// The listed tokens and the token files' together.
common::Status resolveTokens(const std::vector<TokenDigest>& listed,
                             const std::vector<std::filesystem::path>& files,
                             const std::string& where, std::vector<TokenDigest>& out) {
  out = listed;
  for (const auto& file : files) {
    auto read = readTokenFile(file.string());
    if (!read) return configError(where + ": " + read.error().message);
    out.insert(out.end(), read->begin(), read->end());
  }
  return common::Ok{};
}

// What no single option can check: options that go together, and files read once loaded.
common::Status finish(ServerConfig& c) {
  if (auto st = resolveTokens(c.ingest_tokens, c.ingest_token_files, "auth.ingest_token_files",
                              c.auth.ingest);
      !st)
    return st;
  if (auto st =
          resolveTokens(c.read_tokens, c.read_token_files, "auth.read_token_files", c.auth.read);
      !st)
    return st;
  for (std::size_t i = 0; i < c.webhooks.size(); ++i) {
    auto& hook = c.webhooks[i];
    if (hook.token_file.empty()) continue;
    auto token = readSecretFile(hook.token_file,
                                "compliance.webhooks[" + std::to_string(i) + "].token_file");
    if (!token) return token.error();
    hook.token = std::move(*token);
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return configError(c.tls_cert.empty()
                           ? "tls: a key without a certificate; give --tls-cert (tls.cert) too"
                           : "tls: a certificate without its key; give --tls-key (tls.key) too");
  }
  if (!c.tls_client_ca.empty() && c.tls_cert.empty()) {
    return configError(
        "tls: client_ca (mutual TLS) needs a server certificate and key (--tls-cert, --tls-key)");
  }
  if (c.rate_limit_rps > 0 && c.rate_limit_burst < 1) {
    return configError("limits.burst: expected a number >= 1 when requests_per_second > 0");
  }
  if (c.database.empty()) c.database = "sqlite:" + (c.data_dir / "vigia.db").string();
  if (!c.database.starts_with("sqlite:")) {
    return configError("database: only sqlite:PATH is supported by this version (got \"" +
                       c.database.substr(0, c.database.find(':')) + ":…\")");
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

bool isLoopback(const std::string& host) { return common::isLoopbackAddress(host); }

common::Result<ConfigOutcome> loadServerConfig(int argc, char** argv) {
  ConfigOutcome outcome;
  const auto& table = serverOptions();
  CLI::App app{"vigia-server: the vigia API. Stores every report in CSV, JSON Lines and SQLite."};
  app.set_version_flag("--version", std::string("vigia-server ") + vigia::build::kVersionLine);
  app.footer(
      "Every option can be set in the TOML file (--config) under the key shown; flags override\n"
      "it, and unknown keys are errors. Tokens are kept as SHA-256 digests only. With any token,\n"
      "every endpoint but /healthz needs \"Authorization: Bearer <token>\"; with none, only\n"
      "loopback addresses are served (unless --insecure-no-auth). SIGHUP reloads the policy\n"
      "files (a bad one keeps the policy in force). Webhook receivers are tables of the file\n"
      "only: [[compliance.webhooks]] url = \"https://...\", min_severity = \"info\",\n"
      "token_file = \"...\". Exit status: 0 stopped cleanly, 1 cannot\n"
      "open stores or listen, 2 usage or configuration error. See docs/operations.md.");
  std::string config_file;
  bool print_config = false;
  app.add_option("--config", config_file, "TOML configuration file; flags override it")
      ->check(CLI::ExistingFile);
  app.add_flag("--print-config", print_config,
               "Print the effective configuration as TOML (tokens as digests) and exit");
  options::GivenFlags flags;
  table.addFlags(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    outcome.exit_now = true;
    outcome.exit_code = app.exit(e) == 0 ? 0 : 2;
    return outcome;
  }

  std::optional<std::filesystem::path> file;
  if (!config_file.empty()) file = config_file;
  auto loaded = table.load(file, {}, flags);
  if (!loaded) return loaded.error();
  outcome.config = std::move(*loaded);
  if (print_config) {
    ServerConfig checked = outcome.config;  // printed as configured, checked as it would run
    if (auto st = finish(checked); !st) return st.error();
    table.print(outcome.config, std::cout);
    outcome.exit_now = true;
    return outcome;
  }
  if (auto st = finish(outcome.config); !st) return st.error();
  return outcome;
}

}  // namespace vigia::server
