#include "server/api/auth.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "server/api/routes.hpp"

namespace vigia::server {
namespace {

// FIPS 180-2 test vector for "abc".
constexpr const char* kAbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string hex(const TokenDigest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

TEST(Sha256, MatchesTheStandardTestVector) { EXPECT_EQ(hex(sha256("abc")), kAbcHex); }

TEST(ConfiguredToken, PlainTokensAreHashedAndDigestsTakenAsWritten) {
  auto plain = parseConfiguredToken("abc");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(hex(*plain), kAbcHex);

  auto lower = parseConfiguredToken(std::string("sha256:") + kAbcHex);
  ASSERT_TRUE(lower.ok()) << lower.error().message;
  EXPECT_EQ(*lower, *plain);

  std::string upper = std::string("sha256:") + kAbcHex;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  auto up = parseConfiguredToken(upper);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(*up, *plain);
}

TEST(ConfiguredToken, BadEntriesAreRefusedWithoutQuotingThem) {
  const std::string good_hex = kAbcHex;
  const std::pair<std::string, const char*> bad[] = {
      {"", "empty token"},
      {"sha256:", "64 hex digits"},
      {"sha256:" + good_hex.substr(1), "64 hex digits (got 63"},
      {"sha256:" + good_hex + "0", "64 hex digits (got 65"},
      {"sha256:" + good_hex.substr(0, 63) + "g", "non-hex"},
      {"sha256:" + good_hex.substr(0, 62) + " 0", "non-hex"},
      {"secret with-space", "visible ASCII"},
      {"secret\ttab", "visible ASCII"},
      {"caf\xC3\xA9-secret", "visible ASCII"},
      {"secret\x7f", "visible ASCII"},
  };
  for (const auto& [entry, expected] : bad) {
    auto parsed = parseConfiguredToken(entry);
    ASSERT_FALSE(parsed.ok()) << entry;
    EXPECT_NE(parsed.error().message.find(expected), std::string::npos)
        << entry << " → " << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find("secret"), std::string::npos) << parsed.error().message;
    if (entry.size() > 10) {
      EXPECT_EQ(parsed.error().message.find(entry.substr(7)), std::string::npos);
    }
  }
}

TEST(BearerToken, ParsesTheSchemeAnyCaseAndRefusesTheRest) {
  const std::pair<std::string, std::string> cases[] = {
      {"Bearer abc", "abc"},
      {"bearer abc", "abc"},
      {"BEARER   abc  ", "abc"},
      {"Bearer a.b-c_d~e+f/g==", "a.b-c_d~e+f/g=="},
      {"Bearer", ""},
      {"Bearer ", ""},
      {"Bearerabc", ""},
      {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", ""},
      {"Bearer a b", ""},
      {"Bearer\tabc", ""},
      {"abc", ""},
      {"", ""},
  };
  for (const auto& [header, token] : cases) {
    EXPECT_EQ(bearerToken(header), token) << '"' << header << '"';
  }
}

// The access the gate asks of each request, from the API's route table.
TEST(RequiredAccess, HealthIsPublicPostIsIngestTheRestIsRead) {
  using Segments = std::vector<std::string>;
  const auto requiredAccess = [](std::string_view method, const Segments& segments) {
    return apiRoutes().access(method, segments);
  };
  EXPECT_EQ(requiredAccess("GET", Segments{"healthz"}), Access::kPublic);
  EXPECT_EQ(requiredAccess("POST", Segments{"healthz"}), Access::kPublic);
  EXPECT_EQ(requiredAccess("POST", Segments{"api", "v1", "reports"}), Access::kIngest);
  EXPECT_EQ(requiredAccess("POST", Segments{"nope"}), Access::kIngest);
  EXPECT_EQ(requiredAccess("GET", Segments{"api", "v1", "reports"}), Access::kRead);
  EXPECT_EQ(requiredAccess("GET", Segments{"api", "v1", "servers"}), Access::kRead);
  EXPECT_EQ(requiredAccess("GET", Segments{"metrics"}), Access::kRead);
  EXPECT_EQ(requiredAccess("DELETE", Segments{"api", "v1", "servers"}), Access::kRead);
  EXPECT_EQ(requiredAccess("GET", Segments{"healthz", "x"}), Access::kRead);
  // The dashboard's page and assets hold no fleet data; its data is read through the API.
  EXPECT_EQ(requiredAccess("GET", Segments{}), Access::kPublic);
  EXPECT_EQ(requiredAccess("GET", Segments{"hosts", "10.0.0.5"}), Access::kPublic);
  EXPECT_EQ(requiredAccess("GET", Segments{"assets", "app.js"}), Access::kPublic);
  EXPECT_EQ(requiredAccess("GET", Segments{"hosts", "10.0.0.5", "x"}), Access::kRead);
  EXPECT_EQ(requiredAccess("GET", Segments{"nope"}), Access::kRead);
}

AuthConfig config(std::initializer_list<const char*> ingest,
                  std::initializer_list<const char*> read) {
  AuthConfig c;
  for (const char* t : ingest) c.ingest.push_back(*parseConfiguredToken(t));
  for (const char* t : read) c.read.push_back(*parseConfiguredToken(t));
  return c;
}

TEST(Authenticator, DecisionTable) {
  const Authenticator auth(config({"in-1", "in-2"}, {"rd-1", "both"}));
  struct Case {
    const char* header;
    Access needed;
    AuthOutcome expected;
  };
  const Case cases[] = {
      {"", Access::kPublic, AuthOutcome::kAllowed},
      {"Bearer nope", Access::kPublic, AuthOutcome::kAllowed},
      {"", Access::kIngest, AuthOutcome::kMissing},
      {"", Access::kRead, AuthOutcome::kMissing},
      {"Basic aW4tMQ==", Access::kIngest, AuthOutcome::kMalformed},
      {"Bearer", Access::kRead, AuthOutcome::kMalformed},
      {"in-1", Access::kIngest, AuthOutcome::kMalformed},
      {"Bearer nope", Access::kIngest, AuthOutcome::kUnknown},
      {"Bearer nope", Access::kRead, AuthOutcome::kUnknown},
      {"Bearer IN-1", Access::kIngest, AuthOutcome::kUnknown},  // tokens are case-sensitive
      {"Bearer in-1x", Access::kIngest, AuthOutcome::kUnknown},
      {"Bearer in-1", Access::kIngest, AuthOutcome::kAllowed},
      {"bearer in-2", Access::kIngest, AuthOutcome::kAllowed},
      {"Bearer in-1", Access::kRead, AuthOutcome::kForbidden},
      {"Bearer rd-1", Access::kRead, AuthOutcome::kAllowed},
      {"Bearer rd-1", Access::kIngest, AuthOutcome::kForbidden},
      {"Bearer both", Access::kRead, AuthOutcome::kAllowed},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(auth.authorize(c.header, c.needed), c.expected)
        << '"' << c.header << "\" needing " << static_cast<int>(c.needed);
  }
}

// Counts comparisons, to show that none is skipped: whether the first digest matches, a later
// one, or none, every configured digest is compared once and the same work is done.
int comparisons = 0;
bool countingEqual(const TokenDigest& a, const TokenDigest& b) {
  ++comparisons;
  return digestsEqual(a, b);
}

TEST(Authenticator, EveryDigestIsComparedWhicheverMatchesOrNone) {
  const Authenticator auth(config({"in-1", "in-2", "in-3"}, {"rd-1", "rd-2"}), &countingEqual);
  const std::vector<std::pair<std::string, Access>> requests = {
      {"Bearer in-1", Access::kIngest},                     // matches the very first digest
      {"Bearer in-3", Access::kIngest},                     // the last ingest digest
      {"Bearer rd-2", Access::kIngest},                     // a read token, refused
      {"Bearer in-", Access::kIngest},                      // a prefix of every ingest token
      {"Bearer " + std::string(4000, 'x'), Access::kRead},  // long: hashed to 32 bytes anyway
  };
  for (const auto& [header, needed] : requests) {
    comparisons = 0;
    (void)auth.authorize(header, needed);
    EXPECT_EQ(comparisons, 5) << header;
  }
  // And equality itself looks at every byte: digests differing in the first byte and in the
  // last compare equal to nothing, through the same constant-time routine.
  TokenDigest a = sha256("x"), b = a, c = a;
  b.front() ^= 1;
  c.back() ^= 1;
  EXPECT_TRUE(digestsEqual(a, a));
  EXPECT_FALSE(digestsEqual(a, b));
  EXPECT_FALSE(digestsEqual(a, c));
}

TEST(Authenticator, DigestEntriesAuthenticateThePlainToken) {
  const std::string entry = "sha256:" + hex(sha256("s3cret-token"));
  AuthConfig c;
  c.read.push_back(*parseConfiguredToken(entry));
  const Authenticator auth(std::move(c));
  EXPECT_EQ(auth.authorize("Bearer s3cret-token", Access::kRead), AuthOutcome::kAllowed);
  // The digest itself is not a token.
  EXPECT_EQ(auth.authorize("Bearer " + entry, Access::kRead), AuthOutcome::kUnknown);
}

TEST(Authenticator, OneKindOfTokenAloneTurnsAuthenticationOn) {
  const Authenticator only_read(config({}, {"rd"}));
  EXPECT_TRUE(only_read.enabled());
  EXPECT_EQ(only_read.authorize("Bearer rd", Access::kIngest), AuthOutcome::kForbidden);
  EXPECT_EQ(only_read.authorize("Bearer x", Access::kIngest), AuthOutcome::kUnknown);
  EXPECT_EQ(only_read.authorize("", Access::kIngest), AuthOutcome::kMissing);
}

TEST(Authenticator, NoTokensMeansNoAuthentication) {
  const Authenticator open(AuthConfig{});
  EXPECT_FALSE(open.enabled());
  EXPECT_EQ(open.authorize("", Access::kIngest), AuthOutcome::kAllowed);
  EXPECT_EQ(open.authorize("Bearer whatever", Access::kRead), AuthOutcome::kAllowed);
}

class TokenFile : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-token-test-" + std::to_string(std::random_device{}()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& content) {
    const auto path = dir_ / "tokens";
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
};

TEST_F(TokenFile, OneTokenPerLineTrailingSpaceStrippedBlankLinesSkipped) {
  auto digests =
      readTokenFile(write("tok-a  \r\n\n   \nsha256:" + std::string(kAbcHex) + "\t\ntok-b"));
  ASSERT_TRUE(digests.ok()) << digests.error().message;
  ASSERT_EQ(digests->size(), 3u);
  EXPECT_EQ((*digests)[0], sha256("tok-a"));
  EXPECT_EQ(hex((*digests)[1]), kAbcHex);
  EXPECT_EQ((*digests)[2], sha256("tok-b"));
}

TEST_F(TokenFile, CommentLinesAreSkipped) {
  // As a Docker or Compose secret holds them: one token per line, annotated.
  auto digests = readTokenFile(write("# ci runners\ntok-a\n\n# web fleet, 2 of them\ntok-b\n"));
  ASSERT_TRUE(digests.ok()) << digests.error().message;
  ASSERT_EQ(digests->size(), 2u);
  EXPECT_EQ((*digests)[0], sha256("tok-a"));
  EXPECT_EQ((*digests)[1], sha256("tok-b"));

  auto only_comments = readTokenFile(write("# no token yet\n"));
  ASSERT_FALSE(only_comments.ok());
  EXPECT_NE(only_comments.error().message.find("holds no token"), std::string::npos);
}

TEST_F(TokenFile, ErrorsNameTheLineButNotTheToken) {
  auto leading = readTokenFile(write("ok-token\n  secret-token\n"));
  ASSERT_FALSE(leading.ok());
  EXPECT_NE(leading.error().message.find("line 2"), std::string::npos) << leading.error().message;
  EXPECT_EQ(leading.error().message.find("secret"), std::string::npos);

  auto empty = readTokenFile(write("\n  \n"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("holds no token"), std::string::npos);

  auto missing = readTokenFile((dir_ / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos)
      << missing.error().message;
}

}  // namespace
}  // namespace vigia::server
