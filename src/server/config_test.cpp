#include "server/config.hpp"

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
      {"max_body_bytes = \"big\"\n", "max_body_bytes: expected a positive integer"},
      {"[csv]\nformula_guard = 1\n", "csv.formula_guard"},
      {"[auth]\ningest_tokens = [\"x\"]\n", "[auth] is not supported"},
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
