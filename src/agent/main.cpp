// vigia-agent: parses the command line, runs the command, maps the outcome to the exit codes of
// docs/cli.md. Collection lives in collectors/, delivery in delivery/, the commands in commands/.

#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "agent/collect_report.hpp"
#include "agent/commands/check.hpp"
#include "agent/commands/send_and_run.hpp"
#include "agent/config/agent_config.hpp"
#include "agent/config/agent_options.hpp"
#include "agent/exit_codes.hpp"
#include "agent/runtime/log.hpp"
#include "agent/runtime/signals.hpp"
#include "common/build_info.hpp"
#include "common/report_json.hpp"

namespace {

using vigia::agent::kExitFailing;
using vigia::agent::kExitOk;
using vigia::agent::kExitUsage;

int runCollect(bool pretty, const vigia::agent::AgentFlags& flags) {
  // Only the redaction settings matter here; the rest of a config file is checked all the same.
  auto config = vigia::agent::loadAgentConfig(flags, vigia::agent::processEnvironment(), false);
  if (!config) {
    vigia::agent::logError(config.error().message);
    return kExitUsage;
  }
  auto redactor = vigia::common::CommandRedactor::make(config->redact, config->redact_patterns);
  if (!redactor) {
    vigia::agent::logError(redactor.error().message);
    return kExitUsage;
  }
  vigia::agent::CollectContext context;
  context.redactor = &*redactor;
  auto outcome = vigia::agent::collectReport(context);
  for (const auto& warning : outcome.warnings) vigia::agent::logWarning(warning);
  const auto json = vigia::common::toJson(outcome.report);
  // Replace, not throw, on the impossible invalid UTF-8: collectors sanitize every string.
  std::cout << json.dump(pretty ? 2 : -1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
  std::cout.flush();
  return std::cout.good() ? kExitOk : kExitFailing;
}

// A token given as a flag would stay readable in /proc/<pid>/cmdline for the agent's lifetime;
// overwrite it in place now that CLI11 has copied it.
void hideTokenFromProcessList(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (std::strcmp(arg, "--token") == 0 && i + 1 < argc) {
      std::memset(argv[i + 1], 'x', std::strlen(argv[i + 1]));
    } else if (std::strncmp(arg, "--token=", 8) == 0) {
      std::memset(arg + 8, 'x', std::strlen(arg + 8));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask (see signals.hpp).
  vigia::agent::SignalEvents::blockInThisProcess();

  CLI::App app{
      "vigia-agent: reads this server's processor, processes, sessions and OS, and "
      "reports them to a vigia server."};
  app.set_version_flag("--version", std::string("vigia-agent ") + vigia::build::kVersionLine);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 delivered (or printed; run stopped by SIGTERM/SIGINT), 2 usage or\n"
      "configuration error, 3 not delivered and kept in the spool, 4 a report was rejected by\n"
      "the server (moved to <spool>/rejected/), 5 the server refused the token (kept);\n"
      "check: 0 nothing fails, 1 a rule fails or has an error, 2 usage or policy error.\n"
      "Every option can be set in the TOML file (--config) under the key shown in its help;\n"
      "the environment overrides the file and flags override both. Unknown keys are errors.\n"
      "See `vigia-agent COMMAND --help` for each command's options.");

  bool pretty = false;
  bool print_config = false;
  vigia::agent::AgentFlags flags;
  const auto& options = vigia::agent::agentOptions();
  // Each command takes --config and the table's flags that concern it.
  auto withOptions = [&](CLI::App* command, unsigned scope) {
    command
        ->add_option("--config", flags.config_file,
                     "TOML configuration file; the environment and flags override it")
        ->check(CLI::ExistingFile);
    command->add_flag("--print-config", print_config,
                      "Print the effective configuration as TOML (secrets redacted) and exit");
    options.addFlags(*command, flags.given, scope);
    return command;
  };

  auto* collect =
      withOptions(app.add_subcommand("collect", "Print one report to stdout (no network)."),
                  vigia::agent::kCollectCommand);
  collect->add_flag("--pretty", pretty, "Indent the JSON for people.");
  auto* send = withOptions(
      app.add_subcommand(
          "send", "Collect once, deliver it and every report waiting in the spool, then exit."),
      vigia::agent::kSendCommand);
  auto* run = withOptions(
      app.add_subcommand("run",
                         "Collect and deliver every --interval seconds until SIGTERM/SIGINT; "
                         "SIGHUP reloads the configuration."),
      vigia::agent::kRunCommand);

  vigia::agent::CheckOptions check_options;
  auto* check = app.add_subcommand(
      "check",
      "Judge this machine's report, or a saved one, against policy files with the server's "
      "rules (no network): one line per rule, or --json.");
  check
      ->add_option("--policy", check_options.policies,
                   "Policy file (TOML); repeat it for more, judged together as one policy")
      ->required()
      ->take_all();
  check->add_option("--report", check_options.report,
                    "Judge this saved report instead of collecting one: a `collect` output or a "
                    "GET /api/v1/reports/{id} answer; - reads stdin");
  check->add_flag("--json", check_options.json,
                  "Print {\"items\": [...]} shaped as GET /api/v1/servers/{ip}/compliance");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // CLI11 answers --help/--version with success; every real parse error is a usage error.
    return rc == 0 ? kExitOk : kExitUsage;
  }
  hideTokenFromProcessList(argc, argv);

  if (print_config) {
    const bool delivers = send->parsed() || run->parsed();
    auto config =
        vigia::agent::loadAgentConfigAsWritten(flags, vigia::agent::processEnvironment(), delivers);
    if (!config) {
      vigia::agent::logError(config.error().message);
      return kExitUsage;
    }
    options.print(*config, std::cout);
    return kExitOk;
  }
  if (collect->parsed()) return runCollect(pretty, flags);
  if (check->parsed()) return vigia::agent::runCheck(check_options, std::cout);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto load = [&flags] {
    return vigia::agent::loadAgentConfig(flags, vigia::agent::processEnvironment());
  };
  auto config = load();
  if (!config) {
    vigia::agent::logError(config.error().message);
    return kExitUsage;
  }
  vigia::agent::SignalEvents events;
  const int rc = send->parsed() ? vigia::agent::sendOnce(*config, events)
                                : vigia::agent::runLoop(std::move(*config), load, events);
  curl_global_cleanup();
  return rc;
}
