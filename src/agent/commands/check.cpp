#include "agent/commands/check.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/collect_report.hpp"
#include "agent/exit_codes.hpp"
#include "agent/runtime/log.hpp"
#include "common/redaction.hpp"
#include "common/report_json.hpp"
#include "compliance/evaluate.hpp"

namespace vigia::agent {
namespace {

using Json = nlohmann::ordered_json;

common::Result<std::string> readReportText(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    if (std::cin.bad()) return common::makeError(common::ErrorCode::kIo, "cannot read stdin");
    return std::move(text).str();
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return common::makeError(common::ErrorCode::kIo, path + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::makeError(common::ErrorCode::kIo, path + ": cannot be read");
  text << in.rdbuf();
  return std::move(text).str();
}

// What `check` judges: the saved report, or this machine's, collected as `send` would (commands
// redacted by default), so that the verdicts are those the server would reach.
common::Result<common::Report> reportToJudge(const CheckOptions& options) {
  if (options.report) {
    auto text = readReportText(*options.report);
    if (!text) return text.error();
    auto report = common::reportFromJson(*text);
    if (!report) {
      return common::makeError(report.error().code,
                               *options.report + ": not a report: " + report.error().message);
    }
    return report;
  }
  auto redactor = common::CommandRedactor::make(true, {});
  if (!redactor) return redactor.error();
  CollectContext context;
  context.redactor = &*redactor;
  auto outcome = collectReport(context);
  for (const auto& warning : outcome.warnings) logWarning(warning);
  return std::move(outcome.report);
}

Json waiverJson(const std::optional<compliance::WaiverInfo>& w) {
  if (!w) return nullptr;
  Json j = Json::object();
  j["reason"] = w->reason;
  j["owner"] = w->owner;
  j["expires"] = w->expires;
  return j;
}

// Items as GET /api/v1/servers/{ip}/compliance gives them, without `since`.
void printJson(const compliance::Policy& policy, const std::vector<compliance::Verdict>& verdicts,
               const common::Report& report, std::ostream& out) {
  Json items = Json::array();
  for (const auto& v : verdicts) {
    const auto& rule = policy.rules()[v.rule];
    Json item = Json::object();
    item["rule"] = rule.id;
    item["title"] = rule.title;
    item["severity"] = compliance::toString(rule.severity);
    item["status"] = compliance::toString(v.status);
    item["evidence"] = Json::parse(v.evidence);
    item["waiver"] = waiverJson(v.waiver);
    item["report_id"] = report.report_id;
    items.push_back(std::move(item));
  }
  Json answer = Json::object();
  answer["items"] = std::move(items);
  out << answer.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

// `fail            no-telnetd  No telnet daemon runs  [{"pid":...}]`: the status and id in
// columns, then the title, and for fail, waived and error the evidence and any waiver.
void printLines(const compliance::Policy& policy, const std::vector<compliance::Verdict>& verdicts,
                std::ostream& out) {
  constexpr std::size_t kStatusWidth = 14;  // not_applicable
  std::size_t id_width = 0;
  for (const auto& rule : policy.rules()) id_width = std::max(id_width, rule.id.size());
  for (const auto& v : verdicts) {
    const auto& rule = policy.rules()[v.rule];
    const std::string_view status = compliance::toString(v.status);
    std::string line(status);
    line.append(kStatusWidth + 2 - status.size(), ' ');
    line += rule.id;
    line.append(id_width + 2 - rule.id.size(), ' ');
    line += rule.title;
    const bool explained = v.status == compliance::Status::kFail ||
                           v.status == compliance::Status::kWaived ||
                           v.status == compliance::Status::kError;
    if (explained) line += "  " + v.evidence;
    if (v.waiver) {
      line += v.status == compliance::Status::kWaived ? "  waived until " : "  waiver expired ";
      line += v.waiver->expires + ": " + v.waiver->reason + " (" + v.waiver->owner + ")";
    }
    out << line << '\n';
  }
}

}  // namespace

int runCheck(const CheckOptions& options, std::ostream& out) {
  const std::vector<std::filesystem::path> files(options.policies.begin(), options.policies.end());
  auto loaded = compliance::Policy::load(files);
  if (const auto* error = std::get_if<compliance::PolicyError>(&loaded)) {
    logError(error->message());
    return kExitUsage;
  }
  const auto& policy = *std::get<std::shared_ptr<const compliance::Policy>>(loaded);

  auto report = reportToJudge(options);
  if (!report) {
    logError(report.error().message);
    return kExitUsage;
  }
  const auto verdicts = compliance::evaluate(policy, *report);
  if (options.json) {
    printJson(policy, verdicts, *report, out);
  } else {
    printLines(policy, verdicts, out);
  }
  out.flush();
  const bool failing = std::any_of(verdicts.begin(), verdicts.end(),
                                   [](const auto& v) { return compliance::isFailing(v.status); });
  return failing ? kExitFailing : kExitOk;
}

}  // namespace vigia::agent
