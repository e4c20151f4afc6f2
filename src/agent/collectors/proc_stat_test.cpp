#include "agent/collectors/proc_stat.hpp"

#include <gtest/gtest.h>

namespace vigia::agent {
namespace {

// Fields after comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
// utime stime cutime cstime priority nice threads itreal starttime vsize rss …
std::string statLine(const std::string& comm) {
  return "1234 (" + comm +
         ") S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 9000 1000000 321 "
         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
}

TEST(ParsePidStat, OddNamesEndAtTheLastParenthesis) {
  for (const std::string comm :
       {"bash", "my prog", "a) (b", "x)", "((", "new\nline", "", ") S 9 9"}) {
    const auto st = parsePidStat(statLine(comm));
    ASSERT_TRUE(st.has_value()) << comm;
    EXPECT_EQ(st->comm, comm);
    EXPECT_EQ(st->state, 'S');
    EXPECT_EQ(st->ppid, 1);
    EXPECT_EQ(st->flags, 4194560u);
    EXPECT_EQ(st->utime_ticks, 250u);
    EXPECT_EQ(st->stime_ticks, 50u);
    EXPECT_EQ(st->start_ticks, 9000u);
    EXPECT_EQ(st->rss_pages, 321);
  }
}

TEST(ParsePidStat, TruncatedOrMalformedIsRejected) {
  EXPECT_FALSE(parsePidStat("").has_value());
  EXPECT_FALSE(parsePidStat("1234 (bash").has_value());
  EXPECT_FALSE(parsePidStat("1234 (bash) S 1 2 3").has_value());
  EXPECT_FALSE(
      parsePidStat("1234 (bash) S x 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 9000 1 2")
          .has_value());
}

TEST(ParseBootTime, FindsBtime) {
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1763800000\nprocesses 9\n"), 1763800000);
  EXPECT_EQ(parseBootTime("cpu 1\n"), std::nullopt);
  EXPECT_EQ(parseBootTime("btime abc\n"), std::nullopt);
}

}  // namespace
}  // namespace vigia::agent
