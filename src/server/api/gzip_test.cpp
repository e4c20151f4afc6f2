#include "server/api/gzip.hpp"

#include <gtest/gtest.h>

namespace vigia::server {
namespace {

TEST(Gunzip, RoundTrip) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "line " + std::to_string(i) + "\n";
  auto out = gunzip(gzipCompress(text), text.size());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, text);
}

TEST(Gunzip, BombStopsAtTheLimit) {
  const std::string bomb = gzipCompress(std::string(50 * 1024 * 1024, '\0'));
  EXPECT_LT(bomb.size(), 100u * 1024);
  auto out = gunzip(bomb, 1024 * 1024);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, common::ErrorCode::kTooLarge);
}

TEST(Gunzip, ExactlyAtTheLimitIsAccepted) {
  const std::string text(4096, 'a');
  EXPECT_TRUE(gunzip(gzipCompress(text), 4096).ok());
  EXPECT_FALSE(gunzip(gzipCompress(text), 4095).ok());
}

TEST(Gunzip, CorruptTruncatedAndTrailingData) {
  const std::string good = gzipCompress("{\"a\": 1}");
  EXPECT_EQ(gunzip("definitely not gzip", 1000).error().code, common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(gunzip(good.substr(0, good.size() - 6), 1000).error().code,
            common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(gunzip(good + "junk", 1000).error().code, common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(gunzip("", 1000).error().code, common::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigia::server
