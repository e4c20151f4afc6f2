#include "server/config/server_config.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <fstream>

#include "common/identifiers.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

common::Error configError(const std::string& message) {
  return makeError(ErrorCode::kInvalidArgument, message);
}

// ["token", "sha256:<hex>", …] → digests. Errors name the position, never the entry.
common::Status readTokens(const toml::node& node, const std::string& where,
                          std::vector<TokenDigest>& out) {
  const toml::array* list = node.as_array();
  if (list == nullptr) return configError("config: " + where + ": expected an array of strings");
  out.clear();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const auto* text = (*list)[i].as_string();
    if (text == nullptr) return configError("config: " + at + ": expected a string");
    auto digest = parseConfiguredToken(**text);
    if (!digest) return configError("config: " + at + ": " + digest.error().message);
    out.push_back(*digest);
  }
  return common::Ok{};
}

common::Status applyAuth(const toml::table& table, ServerConfig& c) {
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    common::Status st = common::Ok{};
    if (k == "ingest_tokens")
      st = readTokens(node, "auth.ingest_tokens", c.auth.ingest);
    else if (k == "read_tokens")
      st = readTokens(node, "auth.read_tokens", c.auth.read);
    else
      return configError("config: auth." + k + ": unknown key");
    if (!st) return st;
  }
  return common::Ok{};
}

common::Status applyTls(const toml::table& table, ServerConfig& c) {
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    if (!node.is_string()) return configError("config: tls." + k + ": expected a string");
    const std::string value = **node.as_string();
    if (k == "cert")
      c.tls_cert = value;
    else if (k == "key")
      c.tls_key = value;
    else if (k == "client_ca")
      c.tls_client_ca = value;
    else
      return configError("config: tls." + k + ": unknown key");
  }
  return common::Ok{};
}

// A token file's first line, trailing white space stripped.
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

common::Status applyWebhook(const toml::table& table, const std::string& where, ServerConfig& c) {
  WebhookConfig hook;
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    if (k == "url" && node.is_string()) {
      hook.url = **node.as_string();
    } else if (k == "min_severity" && node.is_string()) {
      auto severity = compliance::parseSeverity(**node.as_string());
      if (!severity) {
        return configError("config: " + where +
                           ".min_severity: expected info, low, medium, high or critical");
      }
      hook.min_severity = *severity;
    } else if (k == "token_file" && node.is_string()) {
      auto token = readSecretFile(**node.as_string(), "config: " + where + ".token_file");
      if (!token) return token.error();
      hook.token = std::move(*token);
    } else {
      return configError("config: " + where + "." + k + ": unknown key or wrong type");
    }
  }
  if (!hook.url.starts_with("http://") && !hook.url.starts_with("https://")) {
    return configError("config: " + where + ".url: expected an http:// or https:// URL");
  }
  c.webhooks.push_back(std::move(hook));
  return common::Ok{};
}

common::Status applyCompliance(const toml::table& table, ServerConfig& c) {
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    if (k == "policies" && node.is_array()) {
      c.policies.clear();
      for (const auto& item : *node.as_array()) {
        if (!item.is_string()) {
          return configError("config: compliance.policies: expected an array of file names");
        }
        c.policies.emplace_back(**item.as_string());
      }
    } else if (k == "stale_after_seconds" && node.is_integer() && **node.as_integer() > 0 &&
               **node.as_integer() <= 31'536'000) {
      c.stale_after_seconds = static_cast<int>(**node.as_integer());
    } else if (k == "webhooks" && node.is_array_of_tables()) {
      c.webhooks.clear();
      const auto& hooks = *node.as_array();
      for (std::size_t i = 0; i < hooks.size(); ++i) {
        const std::string where = "compliance.webhooks[" + std::to_string(i) + "]";
        if (auto st = applyWebhook(*hooks[i].as_table(), where, c); !st) return st;
      }
    } else {
      return configError("config: compliance." + k + ": unknown key or wrong type");
    }
  }
  return common::Ok{};
}

common::Status applyLimits(const toml::table& table, ServerConfig& c) {
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    if (!node.is_number()) return configError("config: limits." + k + ": expected a number");
    const double value =
        node.is_integer() ? static_cast<double>(**node.as_integer()) : **node.as_floating_point();
    if (k == "requests_per_second")
      c.rate_limit_rps = value;
    else if (k == "burst")
      c.rate_limit_burst = value;
    else
      return configError("config: limits." + k + ": unknown key");
  }
  return common::Ok{};
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
        } else if (sk.str() == "retention_days" && sv.is_integer() && **sv.as_integer() >= 0 &&
                   **sv.as_integer() <= 36500) {
          c.retention_days = static_cast<int>(**sv.as_integer());
        } else {
          return configError("config: storage." + std::string(sk.str()) +
                             ": unknown key or wrong type");
        }
      }
    } else if (k == "files" && node.is_table()) {
      for (const auto& [fk, fv] : *node.as_table()) {
        const std::string f(fk.str());
        if (f == "csv" && fv.is_boolean()) {
          c.files_csv = **fv.as_boolean();
        } else if (f == "jsonl" && fv.is_boolean()) {
          c.files_jsonl = **fv.as_boolean();
        } else if (f == "compress" && fv.is_string()) {
          c.files_compress = **fv.as_string();
          if (c.files_compress != "zstd" && c.files_compress != "gzip" &&
              c.files_compress != "none") {
            return configError("config: files.compress: expected \"zstd\", \"gzip\" or \"none\"");
          }
        } else if (f == "compress_after_hours" && fv.is_integer() && **fv.as_integer() >= 0 &&
                   **fv.as_integer() <= 87600) {
          c.compress_after_hours = static_cast<int>(**fv.as_integer());
        } else {
          return configError("config: files." + f + ": unknown key or wrong type");
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
    } else if (k == "auth" && node.is_table()) {
      st = applyAuth(*node.as_table(), c);
    } else if (k == "tls" && node.is_table()) {
      st = applyTls(*node.as_table(), c);
    } else if (k == "limits" && node.is_table()) {
      st = applyLimits(*node.as_table(), c);
    } else if (k == "compliance" && node.is_table()) {
      st = applyCompliance(*node.as_table(), c);
    } else {
      return configError("config: unknown key \"" + k + "\"");
    }
    if (!st) return st;
  }
  return common::Ok{};
}

// Tokens from flags and token files, together, replace the config file's list of that kind.
common::Status applyTokenFlags(std::vector<std::string>& tokens,
                               const std::vector<std::string>& files, const std::string& flag,
                               std::vector<TokenDigest>& out) {
  if (tokens.empty() && files.empty()) return common::Ok{};
  std::vector<TokenDigest> digests;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto digest = parseConfiguredToken(tokens[i]);
    OPENSSL_cleanse(tokens[i].data(), tokens[i].size());
    if (!digest) {
      return configError(flag + " #" + std::to_string(i + 1) + ": " + digest.error().message);
    }
    digests.push_back(*digest);
  }
  for (const auto& file : files) {
    auto read = readTokenFile(file);
    if (!read) return configError(flag + "-file: " + read.error().message);
    digests.insert(digests.end(), read->begin(), read->end());
  }
  out = std::move(digests);
  return common::Ok{};
}

common::Status checkTlsAndLimits(const ServerConfig& c) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return configError(c.tls_cert.empty()
                           ? "tls: a key without a certificate; give --tls-cert (tls.cert) too"
                           : "tls: a certificate without its key; give --tls-key (tls.key) too");
  }
  if (!c.tls_client_ca.empty() && c.tls_cert.empty()) {
    return configError(
        "tls: client_ca (mutual TLS) needs a server certificate and key (--tls-cert, --tls-key)");
  }
  if (!std::isfinite(c.rate_limit_rps) || c.rate_limit_rps < 0) {
    return configError("limits.requests_per_second: expected a number >= 0 (0: no limit)");
  }
  if (c.rate_limit_rps > 0 && (!std::isfinite(c.rate_limit_burst) || c.rate_limit_burst < 1)) {
    return configError("limits.burst: expected a number >= 1");
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
  ServerConfig& c = outcome.config;
  CLI::App app{"vigia-server: the vigia API. Stores every report in CSV, JSON Lines and SQLite."};
  app.set_version_flag("--version", std::string("vigia-server ") + VIGIA_VERSION);
  app.footer(
      "Config file keys (TOML; flags override them): listen, data_dir, database, max_body_bytes,\n"
      "  [csv] formula_guard = true\n"
      "  [storage] retention_days = 0 (0 keeps everything), fsync = true,\n"
      "            max_queued_reports = 4096\n"
      "  [files] csv = true, jsonl = true (each file store can be turned off),\n"
      "          compress = \"zstd\" (closed days: zstd, gzip, none), compress_after_hours = 24\n"
      "  [http] max_connections = 10000, max_header_bytes = 16384, header_timeout_seconds = 30,\n"
      "         body_timeout_seconds = 60, shutdown_grace_seconds = 30, threads = 0 (one per "
      "core)\n"
      "  [auth] ingest_tokens = [\"...\"], read_tokens = [\"...\"] (each a token or "
      "\"sha256:<64 hex>\")\n"
      "  [tls] cert = \"server.pem\", key = \"server.key\", client_ca = \"\" (set: mutual TLS)\n"
      "  [limits] requests_per_second = 50, burst = 200 (per client address; 0: off)\n"
      "  [compliance] policies = [\"FILE\", ...], stale_after_seconds = 900\n"
      "  [[compliance.webhooks]] url = \"https://...\", min_severity = \"info\", token_file = "
      "\"\"\n"
      "SIGHUP reloads the policy files (a bad one keeps the policy in force).\n"
      "Tokens given by flag replace the file's list of the same kind. With any token, every\n"
      "endpoint but /healthz needs \"Authorization: Bearer <token>\"; with none, only loopback\n"
      "addresses are served (unless --insecure-no-auth).\n"
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
  std::string compress;
  app.add_option("--compress", compress,
                 "Closed days' files: zstd (default), gzip or none (config: files.compress)")
      ->check(CLI::IsMember({"zstd", "gzip", "none"}));
  int retention_days = -1;
  app.add_option("--retention-days", retention_days,
                 "Delete reports, runs and day files older than N days; 0 keeps everything "
                 "(default; config: storage.retention_days)")
      ->check(CLI::Range(0, 36500));
  app.add_flag(
      "--no-fsync", no_fsync,
      "Do not fsync (config: storage.fsync = false); a crash may lose acknowledged reports");
  std::vector<std::string> ingest_tokens, read_tokens, ingest_token_files, read_token_files;
  app.add_option("--ingest-token", ingest_tokens,
                 "Token that may POST reports (repeatable; a token or sha256:<64 hex>; "
                 "prefer --ingest-token-file, since argv is visible to every local user)")
      ->type_name("TOKEN")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--ingest-token-file", ingest_token_files,
                 "File of ingest tokens, one per line (repeatable; config: auth.ingest_tokens)")
      ->type_name("FILE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--read-token", read_tokens,
                 "Token that may use the GET API and /metrics (repeatable; as --ingest-token)")
      ->type_name("TOKEN")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--read-token-file", read_token_files,
                 "File of read tokens, one per line (repeatable; config: auth.read_tokens)")
      ->type_name("FILE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  std::string tls_cert, tls_key, tls_client_ca;
  app.add_option("--tls-cert", tls_cert,
                 "PEM certificate chain: serve HTTPS only (TLS 1.2+; needs --tls-key; config: "
                 "tls.cert)")
      ->type_name("FILE");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert, not encrypted (tls.key)")
      ->type_name("FILE");
  app.add_option("--tls-client-ca", tls_client_ca,
                 "PEM CA certificates: require a client certificate signed by one (mutual TLS; "
                 "tls.client_ca)")
      ->type_name("FILE");
  double rate_rps = 0, rate_burst = 0;
  auto* rate_rps_option =
      app.add_option("--rate-limit-rps", rate_rps,
                     "Requests per second per client address, on average (default 50; 0: no limit; "
                     "limits.requests_per_second)");
  auto* rate_burst_option =
      app.add_option("--rate-limit-burst", rate_burst,
                     "Requests a client address may send at once (default 200; limits.burst)");
  std::vector<std::string> policies;
  app.add_option("--policy", policies,
                 "Compliance policy file (repeatable; replaces compliance.policies)")
      ->type_name("FILE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  int stale_after = 0;
  app.add_option("--stale-after-seconds", stale_after,
                 "A host whose newest report is older is stale (default 900; "
                 "compliance.stale_after_seconds)")
      ->check(CLI::Range(1, 31'536'000));
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
  if (!compress.empty()) c.files_compress = compress;
  if (retention_days >= 0) c.retention_days = retention_days;
  if (!policies.empty()) c.policies.assign(policies.begin(), policies.end());
  if (stale_after > 0) c.stale_after_seconds = stale_after;
  if (auto st = applyTokenFlags(ingest_tokens, ingest_token_files, "--ingest-token", c.auth.ingest);
      !st)
    return st.error();
  if (auto st = applyTokenFlags(read_tokens, read_token_files, "--read-token", c.auth.read); !st)
    return st.error();
  if (!tls_cert.empty()) c.tls_cert = tls_cert;
  if (!tls_key.empty()) c.tls_key = tls_key;
  if (!tls_client_ca.empty()) c.tls_client_ca = tls_client_ca;
  if (rate_rps_option->count() > 0) c.rate_limit_rps = rate_rps;
  if (rate_burst_option->count() > 0) c.rate_limit_burst = rate_burst;
  if (auto st = checkTlsAndLimits(c); !st) return st.error();

  if (auto st = parseListen(c.listen, c.listen_host, c.listen_port); !st) return st.error();
  if (c.database.empty()) c.database = "sqlite:" + (c.data_dir / "vigia.db").string();
  if (!c.database.starts_with("sqlite:")) {
    return configError("database: only sqlite:PATH is supported by this version (got \"" +
                       c.database.substr(0, c.database.find(':')) + ":…\")");
  }
  return outcome;
}

}  // namespace vigia::server
