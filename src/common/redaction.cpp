#include "common/redaction.hpp"

#include <re2/re2.h>

#include "common/utf8.hpp"

namespace vigia::common {
namespace {

constexpr std::string_view kMask = "***";

// Each starts where a word does, so `ssh -p 22`, `--compress` or `PASS_FILE=x` stay whole.
const char* const kDefaultPatterns[] = {
    R"((?i)(?:^|\s)--?(?:password|passwd|pass|pwd|secret|token|api[-_]key|access[-_]key)(?:=|\s+)(\S+))",
    R"([A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:([^\s/@]+)@)",
    R"((?i)(?:^|\s)[A-Za-z0-9_.-]*(?:password|secret|token)=(\S+))",
};

}  // namespace

CommandRedactor::CommandRedactor(CommandRedactor&&) noexcept = default;
CommandRedactor& CommandRedactor::operator=(CommandRedactor&&) noexcept = default;
CommandRedactor::~CommandRedactor() = default;

Result<CommandRedactor> CommandRedactor::make(bool enabled, const std::vector<std::string>& extra) {
  if (extra.size() > kMaxExtraPatterns) {
    return makeError(ErrorCode::kInvalidArgument,
                     "redact_patterns: at most " + std::to_string(kMaxExtraPatterns));
  }
  RE2::Options options;
  options.set_log_errors(false);
  CommandRedactor r;
  for (const char* p : kDefaultPatterns) r.patterns_.push_back(std::make_unique<RE2>(p, options));
  // Checked even when redaction is off: a broken pattern is a configuration error either way.
  for (std::size_t i = 0; i < extra.size(); ++i) {
    if (extra[i].size() > kMaxPatternBytes) {
      return makeError(ErrorCode::kInvalidArgument,
                       "redact_patterns[" + std::to_string(i) + "]: longer than " +
                           std::to_string(kMaxPatternBytes) + " bytes");
    }
    auto re = std::make_unique<RE2>(extra[i], options);
    if (!re->ok()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "redact_patterns[" + std::to_string(i) + "]: " + re->error());
    }
    r.patterns_.push_back(std::move(re));
  }
  if (!enabled) r.patterns_.clear();
  return r;
}

std::string CommandRedactor::redact(std::string_view command) const {
  std::string text(command);
  for (const auto& re : patterns_) {
    const int groups = re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> found(static_cast<std::size_t>(groups) + 1);
    std::string out;
    std::size_t from = 0;  // copied up to here
    std::size_t at = 0;    // search from here
    bool changed = false;
    while (at <= text.size() && re->Match(text, at, text.size(), RE2::UNANCHORED, found.data(),
                                          static_cast<int>(found.size()))) {
      const std::size_t match_begin = static_cast<std::size_t>(found[0].data() - text.data());
      const std::size_t match_end = match_begin + found[0].size();
      // The spans to mask: the groups that took part, or the whole match.
      std::vector<std::pair<std::size_t, std::size_t>> spans;
      for (int g = 1; g <= groups; ++g) {
        if (found[g].data() == nullptr || found[g].empty()) continue;
        const auto b = static_cast<std::size_t>(found[g].data() - text.data());
        spans.emplace_back(b, b + found[g].size());
      }
      if (groups == 0) spans.emplace_back(match_begin, match_end);
      for (const auto& [b, e] : spans) {
        if (b < from) continue;  // nested groups: the outer one already covered it
        out.append(text, from, b - from).append(kMask);
        from = e;
        changed = true;
      }
      at = match_end > match_begin ? match_end : match_end + 1;
    }
    if (changed) {
      out.append(text, from, std::string::npos);
      text = std::move(out);
    }
  }
  return text;
}

void CommandRedactor::apply(Report& report) const {
  if (patterns_.empty()) return;
  for (auto& p : report.processes) {
    if (!p.command) continue;
    std::string redacted = redact(*p.command);
    if (redacted != *p.command) p.command = truncateUtf8(std::move(redacted), kMaxStringBytes);
  }
}

}  // namespace vigia::common
