#pragma once

// The security team's standard as loaded from its TOML files (docs/compliance.md): rules, each
// with exactly one check, and waivers. A Policy is immutable once loaded and shared by
// whoever judges with it (the storage writer, the API, `vigia-agent check`).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace vigia::compliance {

enum class Severity : std::uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };  // ordered
std::string_view toString(Severity s);
std::optional<Severity> parseSeverity(std::string_view text);

// What a rule says about one report.
enum class Status : std::uint8_t { kPass, kFail, kWaived, kNotApplicable, kError };
std::string_view toString(Status s);
std::optional<Status> parseStatus(std::string_view text);
// fail and error make a host `failing`.
inline bool isFailing(Status s) { return s == Status::kFail || s == Status::kError; }

// What the API shows of a rule (GET /api/v1/policy).
struct RuleInfo {
  std::string id;
  std::string title;
  Severity severity = Severity::kMedium;
  std::string kind;  // the check's TOML key: "require_process", "forbid_session", ...
  std::string rationale;
  std::string remediation;
  std::vector<std::string> references;
};

// What the API shows of a waiver that named a verdict's host and rule.
struct WaiverInfo {
  std::string reason;
  std::string owner;
  std::string expires;  // YYYY-MM-DD, valid through 23:59:59.999Z of that day
};

// One file's bytes, named for error messages (a path, or a test's label).
struct PolicySource {
  std::string name;
  std::string text;
};

// A bad policy: which file, which line (1-based; 0 when the file as a whole is wrong, e.g.
// unreadable) and why. message() is "FILE:LINE: REASON".
struct PolicyError {
  std::string file;
  int line = 0;
  std::string reason;
  std::string message() const;
};

class Policy {
 public:
  struct Compiled;  // the checks, matchers and waivers, ready to run (policy.cpp)

  // Rules of every source in order; [policy] name/version from the first source that has
  // them. digest: hex SHA-256 of the sources' bytes concatenated in the order given.
  static std::variant<std::shared_ptr<const Policy>, PolicyError> parse(
      std::span<const PolicySource> sources);
  static std::variant<std::shared_ptr<const Policy>, PolicyError> load(
      std::span<const std::filesystem::path> files);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& digest() const { return digest_; }
  std::span<const RuleInfo> rules() const { return rules_; }
  // Index of a rule by id, or nullopt.
  std::optional<std::size_t> ruleIndex(std::string_view id) const;
  const Compiled& compiled() const { return *compiled_; }

  Policy(std::string name, std::string version, std::string digest, std::vector<RuleInfo> rules,
         std::shared_ptr<const Compiled> compiled);

 private:
  std::string name_, version_, digest_;
  std::vector<RuleInfo> rules_;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace vigia::compliance
