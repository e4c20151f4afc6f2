#include "server/config/server_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace vigia::server {
namespace {

class Config : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-config-test-" + std::to_string(std::random_device{}()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  common::Result<ConfigOutcome> load(std::vector<std::string> args) {
    args.insert(args.begin(), "vigia-server");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return loadServerConfig(static_cast<int>(argv.size()), argv.data());
  }
  std::string write(const std::string& toml) {
    const auto path = dir_ / "server.toml";
    std::ofstream(path) << toml;
    return path.string();
  }
};

TEST_F(Config, Defaults) {
  auto c = load({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->config.listen_host, "127.0.0.1");
  EXPECT_EQ(c->config.listen_port, 8080);
  EXPECT_EQ(c->config.data_dir, "./vigia-data");
  EXPECT_EQ(c->config.database, "sqlite:./vigia-data/vigia.db");
  EXPECT_EQ(c->config.max_body_bytes, 16u * 1024 * 1024);
  EXPECT_TRUE(c->config.csv_formula_guard);
  EXPECT_TRUE(c->config.fsync);
}

TEST_F(Config, FileThenFlagsOverride) {
  const auto file = write(R"(
listen = "[::1]:9000"
data_dir = "/srv/vigia"
max_body_bytes = 1000
[csv]
formula_guard = false
[storage]
fsync = false
[http]
max_connections = 50
header_timeout_seconds = 5
)");
  auto c = load({"--config", file});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->config.listen_host, "::1");
  EXPECT_EQ(c->config.listen_port, 9000);
  EXPECT_EQ(c->config.database, "sqlite:/srv/vigia/vigia.db");
  EXPECT_EQ(c->config.max_body_bytes, 1000u);
  EXPECT_FALSE(c->config.csv_formula_guard);
  EXPECT_FALSE(c->config.fsync);
  EXPECT_EQ(c->config.max_connections, 50u);
  EXPECT_EQ(c->config.header_timeout_seconds, 5);

  auto o = load({"--config", file, "--listen", "127.0.0.2:81", "--max-body-bytes", "2000"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->config.listen_host, "127.0.0.2");
  EXPECT_EQ(o->config.listen_port, 81);
  EXPECT_EQ(o->config.max_body_bytes, 2000u);
}

TEST_F(Config, ErrorsAreUsageErrors) {
  const std::pair<std::string, std::string> bad_files[] = {
      {"max_body_byte = 5\n", "unknown key \"max_body_byte\""},
      {"max_body_bytes = \"big\"\n", "max_body_bytes: expected an integer"},
      {"[csv]\nformula_guard = 1\n", "csv.formula_guard"},
      {"listen = \"nowhere\"\n", "listen:"},
      {"this is not toml\n", "config "},
      {"database = \"postgresql://u:secret@db/vigia\"\n", "only sqlite:PATH"},
  };
  for (const auto& [toml, expected] : bad_files) {
    auto c = load({"--config", write(toml)});
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message;
    EXPECT_EQ(c.error().message.find("secret"), std::string::npos) << "no credentials in errors";
  }
  auto flag = load({"--no-such-flag"});
  ASSERT_TRUE(flag.ok());
  EXPECT_TRUE(flag->exit_now);
  EXPECT_EQ(flag->exit_code, 2);
}

TEST_F(Config, AuthTlsAndLimitsFromTheFile) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  const auto file = write(R"(
[auth]
ingest_tokens = ["in-1", ")" +
                          digest + R"("]
read_tokens = ["rd-1"]
[tls]
cert = "/etc/vigia/server.pem"
key = "/etc/vigia/server.key"
client_ca = "/etc/vigia/agents-ca.pem"
[limits]
requests_per_second = 2.5
burst = 10
)");
  auto c = load({"--config", file});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->config.auth.ingest.size(), 2u);
  EXPECT_EQ(c->config.auth.ingest[0], sha256("in-1"));
  EXPECT_EQ(c->config.auth.ingest[1], *parseConfiguredToken(digest));
  ASSERT_EQ(c->config.auth.read.size(), 1u);
  EXPECT_EQ(c->config.auth.read[0], sha256("rd-1"));
  EXPECT_EQ(c->config.tls_cert, "/etc/vigia/server.pem");
  EXPECT_EQ(c->config.tls_key, "/etc/vigia/server.key");
  EXPECT_EQ(c->config.tls_client_ca, "/etc/vigia/agents-ca.pem");
  EXPECT_EQ(c->config.rate_limit_rps, 2.5);
  EXPECT_EQ(c->config.rate_limit_burst, 10);
}

TEST_F(Config, TokenFlagsReplaceTheFileListOfTheirKindOnly) {
  const auto file = write("[auth]\ningest_tokens = [\"file-in\"]\nread_tokens = [\"file-rd\"]\n");
  const auto tokens = dir_ / "ingest.tokens";
  std::ofstream(tokens) << "from-file-1 \n\nfrom-file-2\n";
  auto c = load({"--config", file, "--ingest-token", "flag-in", "--ingest-token-file",
                 tokens.string(), "--ingest-token", "flag-in-2"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const std::vector<TokenDigest> expected_ingest = {sha256("flag-in"), sha256("flag-in-2"),
                                                    sha256("from-file-1"), sha256("from-file-2")};
  EXPECT_EQ(c->config.auth.ingest, expected_ingest);
  EXPECT_EQ(c->config.auth.read, std::vector<TokenDigest>{sha256("file-rd")});

  auto r = load({"--read-token", "a", "--read-token", "b", "--rate-limit-rps", "0",
                 "--rate-limit-burst", "3"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->config.auth.ingest.empty());
  EXPECT_EQ(r->config.auth.read.size(), 2u);
  EXPECT_EQ(r->config.rate_limit_rps, 0);
  EXPECT_EQ(r->config.rate_limit_burst, 3);
}

TEST_F(Config, DefaultsHaveNoTokensNoTlsAndAGenerousRateLimit) {
  auto c = load({});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->config.auth.enabled());
  EXPECT_TRUE(c->config.tls_cert.empty());
  EXPECT_EQ(c->config.rate_limit_rps, 50);
  EXPECT_EQ(c->config.rate_limit_burst, 200);
}

TEST_F(Config, AuthTlsAndLimitsErrorsAreUsageErrorsAndQuoteNoToken) {
  const std::pair<std::string, std::string> bad_files[] = {
      {"[auth]\ningest_token = [\"x\"]\n", "unknown key \"auth.ingest_token\""},
      {"[auth]\ningest_tokens = \"secret-1\"\n",
       "auth.ingest_tokens: expected an array of strings"},
      {"[auth]\nread_tokens = [\"ok\", 5]\n", "auth.read_tokens: expected an array of strings"},
      {"[auth]\nread_tokens = [\"sha256:secret\"]\n", "auth.read_tokens: [0]: \"sha256:\" must"},
      {"[auth]\nread_tokens = [\"secret token\"]\n", "auth.read_tokens: [0]: a token must"},
      {"[auth]\nread_tokens = [\"\"]\n", "auth.read_tokens: [0]: empty token"},
      {"auth = \"secret\"\n", "auth: expected a table [auth]"},
      {"[tls]\ncertificate = \"x\"\n", "unknown key \"tls.certificate\""},
      {"[tls]\ncert = 5\n", "tls.cert: expected a string"},
      {"[tls]\ncert = \"c.pem\"\n", "a certificate without its key"},
      {"[tls]\nkey = \"k.pem\"\n", "a key without a certificate"},
      {"[tls]\nclient_ca = \"ca.pem\"\n", "client_ca (mutual TLS) needs"},
      {"[limits]\nrps = 5\n", "unknown key \"limits.rps\""},
      {"[limits]\nrequests_per_second = \"fast\"\n",
       "limits.requests_per_second: expected a number"},
      {"[limits]\nrequests_per_second = -1\n",
       "limits.requests_per_second: expected a number from 0"},
      {"[limits]\nrequests_per_second = nan\n",
       "limits.requests_per_second: expected a number from 0"},
      {"[limits]\nburst = 0.5\n", "limits.burst: expected a number >= 1"},
  };
  for (const auto& [toml, expected] : bad_files) {
    auto c = load({"--config", write(toml)});
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.error().message.find(expected), std::string::npos)
        << toml << " → " << c.error().message;
    EXPECT_EQ(c.error().message.find("secret"), std::string::npos) << c.error().message;
  }
  const std::pair<std::vector<std::string>, std::string> bad_flags[] = {
      {{"--ingest-token", "secret token"}, "--ingest-token: [0]: a token must"},
      {{"--read-token", "ok", "--read-token", "sha256:secret"}, "--read-token: [1]"},
      {{"--read-token-file", (dir_ / "absent").string()}, "cannot read token file"},
      {{"--tls-cert", "c.pem"}, "a certificate without its key"},
      {{"--tls-key", "k.pem", "--tls-client-ca", "ca.pem"}, "a key without a certificate"},
      {{"--rate-limit-rps", "-1"}, "--rate-limit-rps: expected a number from 0"},
      {{"--rate-limit-burst", "0"}, "limits.burst: expected a number >= 1"},
  };
  for (const auto& [args, expected] : bad_flags) {
    auto c = load(args);
    ASSERT_FALSE(c.ok()) << args[0];
    EXPECT_NE(c.error().message.find(expected), std::string::npos)
        << args[0] << " → " << c.error().message;
    EXPECT_EQ(c.error().message.find("secret"), std::string::npos) << c.error().message;
  }
  // No limit at all needs no burst.
  EXPECT_TRUE(load({"--rate-limit-rps", "0", "--rate-limit-burst", "0"}).ok());
}

TEST(Listen, ParsesAddressesAndRejectsTheRest) {
  std::string host;
  unsigned short port = 0;
  EXPECT_TRUE(parseListen("0.0.0.0:0", host, port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_TRUE(parseListen("[::]:443", host, port).ok());
  EXPECT_EQ(host, "::");
  EXPECT_EQ(port, 443);
  for (const char* bad :
       {"8080", "localhost:8080", "::1:8080", "1.2.3.4:70000", "1.2.3.4:", "[::1]8080"}) {
    EXPECT_FALSE(parseListen(bad, host, port).ok()) << bad;
  }
  EXPECT_TRUE(isLoopback("127.0.0.1"));
  EXPECT_TRUE(isLoopback("127.5.6.7"));
  EXPECT_TRUE(isLoopback("::1"));
  EXPECT_FALSE(isLoopback("0.0.0.0"));
  EXPECT_FALSE(isLoopback("::"));
  EXPECT_FALSE(isLoopback("10.0.0.1"));
}

}  // namespace
}  // namespace vigia::server
