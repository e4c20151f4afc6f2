// vigia-agent: parses the command line, runs the command, maps the outcome to SPEC §2's exit
// codes. Everything else lives in the collectors and (later) the delivery layer.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "agent/collect_report.hpp"
#include "common/report_json.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

int runCollect(bool pretty) {
  vigia::agent::CollectContext context;
  auto outcome = vigia::agent::collectReport(context);
  for (const auto& warning : outcome.warnings) {
    std::fprintf(stderr, "vigia-agent: warning: %s\n", warning.c_str());
  }
  const auto json = vigia::common::toJson(outcome.report);
  // Replace, not throw, on the impossible invalid UTF-8: collectors sanitize every string.
  std::cout << json.dump(pretty ? 2 : -1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
  std::cout.flush();
  return std::cout.good() ? kExitOk : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "vigia-agent: reads this server's processor, processes, sessions and OS, and "
      "reports them to a vigia server."};
  app.set_version_flag("--version", std::string("vigia-agent ") + VIGIA_VERSION);
  app.require_subcommand(1);

  bool pretty = false;
  auto* collect = app.add_subcommand("collect", "Print one report to stdout (no network).");
  collect->add_flag("--pretty", pretty, "Indent the JSON for people.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // CLI11 answers --help/--version with success; every real parse error is a usage error.
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (collect->parsed()) return runCollect(pretty);
  return kExitUsage;
}
