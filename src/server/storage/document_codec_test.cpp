#include "server/storage/document_codec.hpp"

#include <gtest/gtest.h>

#include <string>

#include "legacy_zlib_document.hpp"

namespace vigia::server {
namespace {

std::string sampleDocument() {
  std::string doc = R"({"report_id":"0b7e7a5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","processes":[)";
  for (int i = 0; i < 300; ++i) {
    if (i > 0) doc += ',';
    doc += R"({"pid":)" + std::to_string(1000 + i) +
           R"(,"name":"worker","user":"root","command":"/usr/bin/worker --id )" +
           std::to_string(i) + "\"}";
  }
  return doc + "]}";
}

TEST(DocumentCodec, RoundTripsAndShrinksAReport) {
  const std::string doc = sampleDocument();
  const std::string blob = compressDocument(doc);
  ASSERT_FALSE(blob.empty());
  EXPECT_LT(blob.size() * 8, doc.size()) << "repetitive report JSON compresses well";
  auto back = decompressDocument(blob, doc.size());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, doc);
}

TEST(DocumentCodec, AgainstThePreviousDocumentOnlyTheDifferenceIsStored) {
  const std::string previous = sampleDocument();
  std::string next = previous;
  next.replace(next.find("--id 17"), 7, "--id 99");
  const std::string full = compressDocument(next);
  const std::string delta = compressDocument(next, previous);
  ASSERT_FALSE(delta.empty());
  EXPECT_LT(delta.size() * 4, full.size());
  auto back = decompressDocument(delta, next.size(), previous);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, next);
  // Without its base, or with another, the frame is an error, never another text.
  EXPECT_FALSE(decompressDocument(delta, next.size()));
  std::string other = previous;
  other.replace(other.find("--id 42"), 7, "--id 77");
  EXPECT_FALSE(decompressDocument(delta, next.size(), other));
  // A prefix is for one frame only: the next one is whole again.
  auto whole = decompressDocument(compressDocument(previous), previous.size());
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, previous);
}

TEST(DocumentCodec, NewDocumentsAreZstdFrames) {
  const std::string blob = compressDocument("{}");
  ASSERT_GE(blob.size(), 4u);
  EXPECT_EQ(blob.substr(0, 4), std::string("\x28\xB5\x2F\xFD", 4));
}

TEST(DocumentCodec, ReadsTheZlibDocumentsOfOlderDatabases) {
  const std::string doc = sampleDocument();
  auto back = decompressDocument(test::legacyZlibDocument(doc), doc.size());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, doc);
}

TEST(DocumentCodec, DamageAndWrongLengthsAreErrorsNotGarbage) {
  const std::string doc = sampleDocument();
  std::string blob = compressDocument(doc);
  EXPECT_FALSE(decompressDocument(blob, doc.size() - 1)) << "recorded length too short";
  EXPECT_FALSE(decompressDocument(blob, doc.size() + 1)) << "recorded length too long";
  EXPECT_FALSE(decompressDocument(blob.substr(0, blob.size() / 2), doc.size())) << "truncated";
  blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x5A);
  EXPECT_FALSE(decompressDocument(blob, doc.size())) << "a flipped byte fails the checksum";
  std::string old = test::legacyZlibDocument(doc);
  EXPECT_FALSE(decompressDocument(old.substr(0, old.size() / 2), doc.size()));
  EXPECT_FALSE(decompressDocument("", doc.size()));
}

}  // namespace
}  // namespace vigia::server
