#include "server/config/server_options.hpp"

#include <openssl/crypto.h>

#include <cstdio>

#include "common/options/bindings.hpp"

namespace vigia::server {
namespace {

using options::Binding;
using options::Kind;
using options::optionError;
using options::StringTable;
using options::Value;
using C = ServerConfig;

constexpr std::int64_t kMaxSeconds = 3600;

Binding<C> listenField() {
  return {Kind::kString,
          [](C& c, const Value& v) -> common::Status {
            const auto& text = std::get<std::string>(v);
            if (auto st = parseListen(text, c.listen_host, c.listen_port); !st) return st;
            c.listen = text;
            return common::Ok{};
          },
          [](const C& c) { return Value(c.listen); }};
}

std::string digestText(const TokenDigest& digest) {
  std::string out = "sha256:";
  char hex[3];
  for (auto byte : digest) {
    std::snprintf(hex, sizeof hex, "%02x", byte);
    out += hex;
  }
  return out;
}

// Tokens are kept as digests only, and printed as digests: "sha256:<hex>" loads back to the same
// digest, and a digest gives nothing away that the token would.
Binding<C> tokensField(std::vector<TokenDigest> C::*field) {
  return {Kind::kStringList,
          [field](C& c, const Value& v) -> common::Status {
            std::vector<TokenDigest> digests;
            auto entries = std::get<std::vector<std::string>>(v);
            for (std::size_t i = 0; i < entries.size(); ++i) {
              auto digest = parseConfiguredToken(entries[i]);
              OPENSSL_cleanse(entries[i].data(), entries[i].size());
              if (!digest) {
                return optionError("[" + std::to_string(i) + "]: " + digest.error().message);
              }
              digests.push_back(*digest);
            }
            c.*field = std::move(digests);
            return common::Ok{};
          },
          [field](const C& c) {
            std::vector<std::string> out;
            for (const auto& digest : c.*field) out.push_back(digestText(digest));
            return Value(std::move(out));
          }};
}

Binding<C> webhooksField() {
  return {Kind::kTableList,
          [](C& c, const Value& v) -> common::Status {
            std::vector<WebhookConfig> hooks;
            const auto& tables = std::get<std::vector<StringTable>>(v);
            for (std::size_t i = 0; i < tables.size(); ++i) {
              const std::string at = "[" + std::to_string(i) + "].";
              WebhookConfig hook;
              for (const auto& [key, text] : tables[i]) {
                if (key == "url") {
                  hook.url = text;
                } else if (key == "min_severity") {
                  auto severity = compliance::parseSeverity(text);
                  if (!severity) {
                    return optionError(at +
                                       "min_severity: expected info, low, medium, high or "
                                       "critical");
                  }
                  hook.min_severity = *severity;
                } else if (key == "token_file") {
                  hook.token_file = text;
                } else {
                  return optionError(at + key + ": unknown key");
                }
              }
              if (!hook.url.starts_with("http://") && !hook.url.starts_with("https://")) {
                return optionError(at + "url: expected an http:// or https:// URL");
              }
              hooks.push_back(std::move(hook));
            }
            c.webhooks = std::move(hooks);
            return common::Ok{};
          },
          [](const C& c) {
            std::vector<StringTable> tables;
            for (const auto& hook : c.webhooks) {
              StringTable t{{"url", hook.url},
                            {"min_severity", std::string(compliance::toString(hook.min_severity))}};
              if (!hook.token_file.empty()) t.emplace_back("token_file", hook.token_file);
              tables.push_back(std::move(t));
            }
            return Value(std::move(tables));
          }};
}

using options::boolField;
using options::integerField;
using options::numberField;
using options::pathField;
using options::pathListField;
using options::stringField;

}  // namespace

const options::OptionTable<ServerConfig>& serverOptions() {
  using V = std::vector<std::string>;
  static const options::OptionTable<ServerConfig> table({
      {.key = "listen",
       .flag = "--listen",
       .binding = listenField(),
       .default_value = "127.0.0.1:8080",
       .help = "ADDR:PORT to listen on (IPv6 as [::1]:8080)",
       .value_name = "ADDR:PORT"},
      {.key = "data_dir",
       .flag = "--data-dir",
       .binding = pathField(&C::data_dir),
       .default_value = "./vigia-data",
       .help = "Directory of csv/, json/ and the SQLite file (created if missing)",
       .value_name = "DIR"},
      {.key = "database",
       .flag = "--database",
       .binding = stringField(&C::database),
       .default_value = "",
       .help = "sqlite:PATH",
       .default_text = "sqlite:<data_dir>/vigia.db",
       .value_name = "URL"},
      {.key = "max_body_bytes",
       .flag = "--max-body-bytes",
       .binding = integerField(&C::max_body_bytes, 1, std::int64_t{1} << 32),
       .default_value = std::int64_t{16 * 1024 * 1024},
       .help = "Largest request body, after decompression too"},
      {.key = "insecure_no_auth",
       .flag = "--insecure-no-auth",
       .binding = boolField(&C::insecure_no_auth),
       .default_value = false,
       .help = "Allow listening on a non-loopback address without tokens"},
      {.key = "discard_reports",
       .flag = "--discard-reports",
       .binding = boolField(&C::discard_reports),
       .default_value = false,
       .help = "Benchmark only: validate and answer 201 without storing anything"},
      {.key = "csv.formula_guard",
       .flag = "--csv-formula-guard",
       .binding = boolField(&C::csv_formula_guard),
       .default_value = true,
       .help = "Prefix ' to CSV cells starting with = + - @ TAB CR",
       .negation = "--no-csv-formula-guard"},
      {.key = "files.csv",
       .flag = "--files-csv",
       .binding = boolField(&C::files_csv),
       .default_value = true,
       .help = "Write <IP>_<YYYY-MM-DD>.csv files",
       .negation = "--no-files-csv"},
      {.key = "files.jsonl",
       .flag = "--files-jsonl",
       .binding = boolField(&C::files_jsonl),
       .default_value = true,
       .help = "Write JSON Lines day files",
       .negation = "--no-files-jsonl"},
      {.key = "files.compress",
       .flag = "--compress",
       .binding = stringField(&C::files_compress, {"zstd", "gzip", "none"}),
       .default_value = "zstd",
       .help = "Compression of closed days' files: zstd, gzip or none"},
      {.key = "files.compress_after_hours",
       .flag = "--compress-after-hours",
       .binding = integerField(&C::compress_after_hours, 0, 87'600),
       .default_value = std::int64_t{24},
       .help = "Hours after a day ends before its files are compressed"},
      {.key = "storage.retention_days",
       .flag = "--retention-days",
       .binding = integerField(&C::retention_days, 0, 36'500),
       .default_value = std::int64_t{0},
       .help = "Delete reports, runs and day files older than N days; 0 keeps everything"},
      {.key = "storage.fsync",
       .flag = "--fsync",
       .binding = boolField(&C::fsync),
       .default_value = true,
       .help = "fsync before answering; without it a crash may lose acknowledged reports",
       .negation = "--no-fsync"},
      {.key = "storage.max_queued_reports",
       .flag = "--max-queued-reports",
       .binding = integerField(&C::max_queued_reports, 1, 1'000'000),
       .default_value = std::int64_t{4096},
       .help = "Reports waiting for the writer at most; beyond, posts get 503"},
      {.key = "http.max_connections",
       .flag = "--max-connections",
       .binding = integerField(&C::max_connections, 1, 1'000'000),
       .default_value = std::int64_t{10'000},
       .help = "Open connections at most"},
      {.key = "http.max_header_bytes",
       .flag = "--max-header-bytes",
       .binding = integerField(&C::max_header_bytes, 1024, 1024 * 1024),
       .default_value = std::int64_t{16 * 1024},
       .help = "Largest request head"},
      {.key = "http.header_timeout_seconds",
       .flag = "--header-timeout-seconds",
       .binding = integerField(&C::header_timeout_seconds, 1, kMaxSeconds),
       .default_value = std::int64_t{30},
       .help = "Seconds a client has to send a request head"},
      {.key = "http.body_timeout_seconds",
       .flag = "--body-timeout-seconds",
       .binding = integerField(&C::body_timeout_seconds, 1, kMaxSeconds),
       .default_value = std::int64_t{60},
       .help = "Seconds a client has to send a request body"},
      {.key = "http.shutdown_grace_seconds",
       .flag = "--shutdown-grace-seconds",
       .binding = integerField(&C::shutdown_grace_seconds, 0, kMaxSeconds),
       .default_value = std::int64_t{30},
       .help = "On SIGTERM, seconds in-flight requests have to finish"},
      {.key = "http.threads",
       .flag = "--threads",
       .binding = integerField(&C::threads, 0, 1024),
       .default_value = std::int64_t{0},
       .help = "I/O threads; 0: one per core",
       .default_text = "0 (one per core)"},
      {.key = "auth.ingest_tokens",
       .flag = "--ingest-token",
       .binding = tokensField(&C::ingest_tokens),
       .default_value = V{},
       .help = "Token that may POST reports (repeatable; a token or sha256:<64 hex>; prefer "
               "--ingest-token-file, since argv is visible to every local user)",
       .value_name = "TOKEN"},
      {.key = "auth.ingest_token_files",
       .flag = "--ingest-token-file",
       .binding = pathListField(&C::ingest_token_files),
       .default_value = V{},
       .help = "File of ingest tokens, one per line (repeatable; blank lines skipped)",
       .value_name = "FILE"},
      {.key = "auth.read_tokens",
       .flag = "--read-token",
       .binding = tokensField(&C::read_tokens),
       .default_value = V{},
       .help = "Token that may use the GET API, the dashboard and /metrics (repeatable; as "
               "--ingest-token)",
       .value_name = "TOKEN"},
      {.key = "auth.read_token_files",
       .flag = "--read-token-file",
       .binding = pathListField(&C::read_token_files),
       .default_value = V{},
       .help = "File of read tokens, one per line (repeatable)",
       .value_name = "FILE"},
      {.key = "tls.cert",
       .flag = "--tls-cert",
       .binding = pathField(&C::tls_cert),
       .default_value = "",
       .help = "PEM certificate chain: serve HTTPS only (TLS 1.2+; needs --tls-key)",
       .value_name = "FILE"},
      {.key = "tls.key",
       .flag = "--tls-key",
       .binding = pathField(&C::tls_key),
       .default_value = "",
       .help = "PEM private key of --tls-cert, not encrypted",
       .value_name = "FILE"},
      {.key = "tls.client_ca",
       .flag = "--tls-client-ca",
       .binding = pathField(&C::tls_client_ca),
       .default_value = "",
       .help = "PEM CA certificates: require a client certificate signed by one (mutual TLS)",
       .value_name = "FILE"},
      {.key = "limits.requests_per_second",
       .flag = "--rate-limit-rps",
       .binding = numberField(&C::rate_limit_rps, 0, 1e9),
       .default_value = 50.0,
       .help = "Requests per second per client address, on average; 0: no limit"},
      {.key = "limits.burst",
       .flag = "--rate-limit-burst",
       .binding = numberField(&C::rate_limit_burst, 0, 1e9),
       .default_value = 200.0,
       .help = "Requests a client address may send at once (at least 1 with a limit)"},
      {.key = "compliance.policies",
       .flag = "--policy",
       .binding = pathListField(&C::policies),
       .default_value = V{},
       .help = "Compliance policy file (repeatable); read at start and on SIGHUP",
       .value_name = "FILE"},
      {.key = "compliance.stale_after_seconds",
       .flag = "--stale-after-seconds",
       .binding = integerField(&C::stale_after_seconds, 1, 31'536'000),
       .default_value = std::int64_t{900},
       .help = "A host whose newest report is older is stale"},
      {.key = "compliance.webhooks",
       .flag = "",
       .binding = webhooksField(),
       .default_value = std::vector<StringTable>{},
       .help = "Receivers of verdict changes: [[compliance.webhooks]] url = \"https://...\", "
               "min_severity = \"info\", token_file = \"\" (config file only)"},
  });
  return table;
}

}  // namespace vigia::server
