#include "compliance/regex.hpp"

#include <gtest/gtest.h>

namespace vigia::compliance {
namespace {

TEST(Regex, ContainsIgnoringAsciiCase) {
  EXPECT_TRUE(containsIgnoringAsciiCase("xmrig -o STRATUM+TCP://pool", "stratum+tcp://"));
  EXPECT_TRUE(containsIgnoringAsciiCase("stratum", "stratum"));
  EXPECT_TRUE(containsIgnoringAsciiCase("/usr/bin/x /tmp/", "/tmp/"));
  EXPECT_TRUE(containsIgnoringAsciiCase("sSsStratum", "stratum"));  // after false starts
  EXPECT_FALSE(containsIgnoringAsciiCase("strat", "stratum"));
  EXPECT_FALSE(containsIgnoringAsciiCase("/usr/tmp", "/tmp/"));
  EXPECT_FALSE(containsIgnoringAsciiCase("", "a"));
  EXPECT_TRUE(containsIgnoringAsciiCase("abc", ""));
  EXPECT_TRUE(containsIgnoringAsciiCase("xyzABC", "abc"));  // at the very end
  EXPECT_FALSE(containsIgnoringAsciiCase("xyzAB", "abc"));
}

// The prefilter only ever saves work: every pattern answers as RE2 alone does.
TEST(Regex, ThePrefilterNeverChangesAnAnswer) {
  const char* patterns[] = {
      "(?i)stratum[0-9]?\\+(tcp|ssl|tls)://",
      "^(/tmp|/var/tmp|/dev/shm)/",
      "sshd",
      "Foo|bar",
      "(?i)Ärger",
      "Ärger",
      "(a+)+$",
      "^nginx: (worker|cache)",
      "[0-9]{3}-[0-9]{4}",
      "\\bpassword\\b",
      "x.*y.*z",
      "^$",
  };
  const char* texts[] = {
      "",
      "xmrig -o stratum+tcp://pool.example.net:3333",
      "XMRIG -O STRATUM2+SSL://POOL",
      "stratum tcp://",
      "/tmp/x",
      "/var/tmp/y --flag",
      "/usr/bin/tmp/",
      "sshd: alice@pts/0",
      "SSHD",
      "foo bar",
      "Foo",
      "ärger und Ärger",
      "ÄRGER",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
      "nginx: worker process",
      "NGINX: WORKER",
      "call 555-1234 now",
      "my password is",
      "passwords",
      "x1y2z3",
  };
  for (const char* pattern : patterns) {
    auto compiled = Regex::compile(pattern);
    ASSERT_TRUE(std::holds_alternative<Regex>(compiled)) << pattern;
    const Regex& regex = std::get<Regex>(compiled);
    RE2 plain(pattern);
    for (const char* text : texts) {
      EXPECT_EQ(regex.matches(text), RE2::PartialMatch(text, plain))
          << "/" << pattern << "/ on \"" << text << "\"";
    }
  }
}

TEST(Regex, AtomsAreTheLiteralsEveryMatchNeeds) {
  auto stratum = std::get<Regex>(Regex::compile("(?i)stratum[0-9]?\\+(tcp|ssl|tls)://"));
  EXPECT_FALSE(stratum.atoms().empty());
  auto tmp = std::get<Regex>(Regex::compile("^(/tmp|/var/tmp|/dev/shm)/"));
  EXPECT_FALSE(tmp.atoms().empty());
  // Nothing literal to require: every value goes to RE2.
  EXPECT_TRUE(std::get<Regex>(Regex::compile("(a+)+$")).atoms().empty());
  EXPECT_TRUE(std::get<Regex>(Regex::compile(".")).atoms().empty());
  // A non-ASCII atom cannot be compared ignoring case byte by byte: no prefilter.
  EXPECT_TRUE(std::get<Regex>(Regex::compile("(?i)Ärger")).atoms().empty());
}

TEST(Regex, ABadPatternGivesRe2sError) {
  auto bad = Regex::compile("(a");
  ASSERT_TRUE(std::holds_alternative<std::string>(bad));
  EXPECT_EQ(std::get<std::string>(bad), "missing ): (a");
}

}  // namespace
}  // namespace vigia::compliance
