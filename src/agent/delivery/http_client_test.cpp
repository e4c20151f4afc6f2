#include "agent/delivery/http_client.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "agent/delivery/gzip.hpp"

namespace vigia::agent {
namespace {

using std::chrono::seconds;

TEST(HttpClient, RetryAfterInSecondsOrAsADate) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // 2023-11-14T22:13:20Z
  EXPECT_EQ(parseRetryAfter("5", now), seconds(5));
  EXPECT_EQ(parseRetryAfter(" 120 ", now), seconds(120));
  EXPECT_EQ(parseRetryAfter("0", now), seconds(0));
  EXPECT_EQ(parseRetryAfter("99999999999999999999999", now), seconds(86'400));
  EXPECT_EQ(parseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now), seconds(30));
  EXPECT_EQ(parseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now), seconds(0));  // past
  EXPECT_EQ(parseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(parseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(parseRetryAfter("5s", now), std::nullopt);
  EXPECT_EQ(parseRetryAfter("-5", now), std::nullopt);
}

TEST(HttpClient, EndpointUnderTheBaseUrl) {
  EXPECT_EQ(reportsEndpoint("https://h:1"), "https://h:1/api/v1/reports");
  EXPECT_EQ(reportsEndpoint("https://h:1/"), "https://h:1/api/v1/reports");
  EXPECT_EQ(reportsEndpoint("https://h/vigia//"), "https://h/vigia/api/v1/reports");
}

TEST(Gzip, RoundTripsThroughZlib) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"pid\": " + std::to_string(i) + ", \"name\": \"x\"},";
  auto packed = gzipCompress(text);
  ASSERT_TRUE(packed);
  EXPECT_LT(packed->size(), text.size() / 4);
  ASSERT_GE(packed->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b);

  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(text.size() + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(packed->data());
  z.avail_in = static_cast<uInt>(packed->size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(out, text);
  EXPECT_TRUE(gzipCompress(""));
}

}  // namespace
}  // namespace vigia::agent
