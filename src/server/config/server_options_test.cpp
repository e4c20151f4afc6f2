#include "server/config/server_options.hpp"

#include <gtest/gtest.h>

#include "option_table_checks.hpp"

namespace vigia::server {
namespace {

using options::Value;

common::Result<ConfigOutcome> loadWith(std::vector<std::string> args) {
  args.insert(args.begin(), "vigia-server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return loadServerConfig(static_cast<int>(argv.size()), argv.data());
}

std::string printed(std::vector<std::string> args) {
  args.push_back("--print-config");
  testing::internal::CaptureStdout();
  auto outcome = loadWith(args);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_TRUE(outcome) << outcome.error().message;
  return out;
}

TEST(ServerOptions, EveryOptionIsReachableFromTomlAndFromItsFlag) {
  options::test::expectEveryOptionReachable(
      serverOptions(), {{"listen", Value("[::1]:9000")}, {"files.compress", Value("gzip")}});
}

TEST(ServerOptions, HelpNamesEveryOption) {
  testing::internal::CaptureStdout();
  auto outcome = loadWith({"--help"});
  const std::string help = testing::internal::GetCapturedStdout();
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->exit_now);
  EXPECT_EQ(outcome->exit_code, 0);
  options::test::expectHelpNamesEveryOption(serverOptions(), help);
}

TEST(ServerOptions, PrintConfigRoundTrips) {
  const auto hooks = options::test::writeTemp("hooks", R"(
[[compliance.webhooks]]
url = "https://hooks.example.com/a"
min_severity = "high"
[[compliance.webhooks]]
url = "http://127.0.0.1:9/b"
)");
  const std::string first = printed(
      {"--config", hooks.string(), "--listen", "0.0.0.0:9443", "--no-fsync", "--ingest-token",
       "a-secret-ingest-token", "--read-token", "sha256:" + std::string(64, 'a'), "--compress",
       "none", "--policy", "a.toml", "--policy", "b.toml", "--rate-limit-rps", "2.5"});
  std::filesystem::remove(hooks);
  EXPECT_EQ(first.find("a-secret-ingest-token"), std::string::npos) << "tokens print as digests";
  EXPECT_NE(first.find("[[compliance.webhooks]]"), std::string::npos) << first;
  EXPECT_NE(first.find("min_severity = 'high'"), std::string::npos) << first;

  const auto file = options::test::writeTemp("printed", first);
  const std::string second = printed({"--config", file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(first, second);
}

TEST(ServerOptions, TheShippedConfigFileShowsEveryOptionAtItsDefault) {
  options::test::expectShippedFileShowsTheDefaults(
      serverOptions(), std::filesystem::path(VIGIA_SOURCE_DIR) / "packaging/config/server.toml");
}

}  // namespace
}  // namespace vigia::server
