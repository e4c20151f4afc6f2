#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace vigia::common {
namespace {

TEST(Utf8, ValidTextPassesUnchanged) {
  for (const char* s :
       {"", "plain", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "a\nb\tc"}) {
    EXPECT_TRUE(isValidUtf8(s)) << s;
    EXPECT_EQ(sanitizeUtf8(s), s);
  }
}

TEST(Utf8, IllFormedSequencesBecomeReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  struct Case {
    std::string in, out;
  } cases[] = {
      {"a\xFF"
       "b",
       "a" + fffd + "b"},
      {"\xC3", fffd},                                   // truncated 2-byte sequence
      {"\xC0\xAF", fffd + fffd},                        // overlong
      {"\xED\xA0\x80", fffd + fffd + fffd},             // surrogate
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"\x80", fffd},                                   // lone continuation
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(isValidUtf8(c.in));
    EXPECT_EQ(sanitizeUtf8(c.in), c.out);
    EXPECT_TRUE(isValidUtf8(sanitizeUtf8(c.in)));
  }
}

TEST(Utf8, TruncationNeverSplitsACharacter) {
  std::string euros;
  for (int i = 0; i < 10; ++i) euros += "\xE2\x82\xAC";  // 3 bytes each
  for (std::size_t limit = 0; limit <= euros.size() + 1; ++limit) {
    const std::string cut = truncateUtf8(euros, limit);
    EXPECT_LE(cut.size(), limit);
    EXPECT_EQ(cut.size() % 3, 0u);
    EXPECT_GE(cut.size() + 3, std::min(limit, euros.size()) + 1);
    EXPECT_TRUE(isValidUtf8(cut));
  }
}

}  // namespace
}  // namespace vigia::common
