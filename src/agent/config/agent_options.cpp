#include "agent/config/agent_options.hpp"

#include "common/options/bindings.hpp"

namespace vigia::agent {

const options::OptionTable<AgentConfig>& agentOptions() {
  using C = AgentConfig;
  using options::boolField;
  using options::integerField;
  using options::pathField;
  using options::stringField;
  using options::stringListField;
  constexpr unsigned kDelivery = kSendCommand | kRunCommand;
  constexpr unsigned kReporting = kCollectCommand | kDelivery;
  static const options::OptionTable<AgentConfig> table({
      {.key = "server",
       .flag = "--server",
       .binding = stringField(&C::server),
       .default_value = "",
       .help = "Server base URL, e.g. https://vigia.example.com:8443",
       .env = "VIGIA_SERVER",
       .value_name = "URL",
       .scopes = kDelivery},
      {.key = "token",
       .flag = "--token",
       .binding = stringField(&C::token),
       .default_value = "",
       .help = "Bearer token; prefer --token-file, a flag is visible to other users until the "
               "agent hides it",
       .env = "VIGIA_TOKEN",
       .value_name = "TOKEN",
       .secret = true,
       .scopes = kDelivery},
      {.key = "token_file",
       .flag = "--token-file",
       .binding = pathField(&C::token_file),
       .default_value = "",
       .help = "File holding the token (trailing white space ignored)",
       .value_name = "FILE",
       .scopes = kDelivery},
      {.key = "ca_file",
       .flag = "--ca-file",
       .binding = pathField(&C::ca_file),
       .default_value = "",
       .help = "CA certificates (PEM) to trust for https://, instead of the system store",
       .value_name = "FILE",
       .scopes = kDelivery},
      {.key = "client_cert",
       .flag = "--client-cert",
       .binding = pathField(&C::client_cert),
       .default_value = "",
       .help = "Client certificate (PEM) for servers that require mutual TLS",
       .value_name = "FILE",
       .scopes = kDelivery},
      {.key = "client_key",
       .flag = "--client-key",
       .binding = pathField(&C::client_key),
       .default_value = "",
       .help = "Private key of --client-cert (PEM)",
       .value_name = "FILE",
       .scopes = kDelivery},
      {.key = "spool_dir",
       .flag = "--spool-dir",
       .binding = pathField(&C::spool_dir),
       .default_value = "",
       .help = "Where undelivered reports wait",
       .default_text = "$STATE_DIRECTORY/spool, /var/lib/vigia/spool or "
                       "~/.local/state/vigia/spool",
       .value_name = "DIR",
       .scopes = kDelivery},
      {.key = "spool_max_reports",
       .flag = "--spool-max-reports",
       .binding = integerField(&C::spool_max_reports, 1, 1'000'000),
       .default_value = std::int64_t{1000},
       .help = "Reports the spool keeps at most; the oldest is dropped first, with a warning",
       .scopes = kDelivery},
      {.key = "spool_max_bytes",
       .flag = "--spool-max-bytes",
       .binding = integerField(&C::spool_max_bytes, 1, std::int64_t{1} << 40),
       .default_value = std::int64_t{268'435'456},
       .help = "Bytes the spool keeps at most",
       .scopes = kDelivery},
      {.key = "interval",
       .flag = "--interval",
       .binding = integerField(&C::interval_seconds, 1, 86'400),
       .default_value = std::int64_t{60},
       .help = "Seconds between reports; each agent picks a random offset within the interval",
       .scopes = kRunCommand},
      {.key = "timeout",
       .flag = "--timeout",
       .binding = integerField(&C::timeout_seconds, 1, 3600),
       .default_value = std::int64_t{30},
       .help = "Seconds per delivery attempt, and of retrying without progress",
       .scopes = kDelivery},
      {.key = "allow_insecure_http",
       .flag = "--allow-insecure-http",
       .binding = boolField(&C::allow_insecure_http),
       .default_value = false,
       .help = "Allow plain http:// to a server that is not on loopback",
       .scopes = kDelivery},
      {.key = "redact",
       .flag = "--redact",
       .binding = boolField(&C::redact),
       .default_value = true,
       .help = "Replace secrets in command lines with *** before a report leaves the agent",
       .negation = "--no-redact",
       .scopes = kReporting},
      {.key = "redact_patterns",
       .flag = "--redact-pattern",
       .binding = stringListField(&C::redact_patterns),
       .default_value = std::vector<std::string>{},
       .help = "More RE2 patterns to redact (repeatable); each capture group, or the whole "
               "match, is replaced",
       .value_name = "RE2",
       .scopes = kReporting},
  });
  return table;
}

}  // namespace vigia::agent
