// The shipped baseline (policies/debian-baseline.toml) loads, documents every rule, and its
// fixtures (tests/policies/, judged by CTest through vigia-agent check) are reports the server
// accepts.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/validate.hpp"
#include "compliance/evaluate.hpp"
#include "compliance/policy.hpp"

namespace vigia::compliance {
namespace {

const std::filesystem::path kSource = VIGIA_SOURCE_DIR;

std::shared_ptr<const Policy> baseline() {
  const std::filesystem::path files[] = {kSource / "policies" / "debian-baseline.toml"};
  auto loaded = Policy::load(files);
  if (auto* e = std::get_if<PolicyError>(&loaded)) {
    ADD_FAILURE() << e->message();
    return nullptr;
  }
  return std::get<std::shared_ptr<const Policy>>(loaded);
}

TEST(Baseline, LoadsWithEveryRuleDocumented) {
  const auto policy = baseline();
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->name(), "debian-baseline");
  EXPECT_FALSE(policy->version().empty());
  EXPECT_GE(policy->rules().size(), 15u);
  EXPECT_LE(policy->rules().size(), 25u);
  for (const auto& rule : policy->rules()) {
    EXPECT_FALSE(rule.rationale.empty()) << rule.id;
    EXPECT_FALSE(rule.remediation.empty()) << rule.id;
    for (const auto& reference : rule.references) {
      EXPECT_EQ(reference.rfind("CIS Debian Linux 12 v1.1.0 ", 0), 0u)
          << rule.id << ": " << reference;
    }
  }
}

TEST(Baseline, EveryFixtureIsAReportTheServerAccepts) {
  const auto policy = baseline();
  ASSERT_TRUE(policy);
  std::size_t fixtures = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(kSource / "tests" / "policies")) {
    if (entry.path().extension() != ".json") continue;
    ++fixtures;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto validated = common::parseAndValidate(text.str());
    ASSERT_TRUE(validated) << entry.path() << ": " << validated.error().message;
    // Its directory is one of the policy's rules.
    const auto rule = entry.path().parent_path().filename().string();
    EXPECT_TRUE(policy->ruleIndex(rule)) << entry.path();
    EXPECT_EQ(evaluate(*policy, validated->report).size(), policy->rules().size());
  }
  EXPECT_GE(fixtures, 2 * policy->rules().size());
}

}  // namespace
}  // namespace vigia::compliance
