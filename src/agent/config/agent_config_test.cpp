#include "agent/config/agent_config.hpp"

#include <gtest/gtest.h>

#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

using test::TempTree;

AgentFlags withConfig(const std::filesystem::path& file) {
  AgentFlags f;
  f.config_file = file.string();
  return f;
}

TEST(AgentConfig, FlagsBeatEnvironmentWhichBeatsTheFile) {
  TempTree tree;
  const auto file = tree.write("agent.toml",
                               "server = \"http://127.0.0.1:1\"\ntoken = \"from-file\"\n"
                               "interval = 10\ntimeout = 5\nspool_dir = \"/tmp/s\"\n");
  Environment env{{"VIGIA_SERVER", "http://127.0.0.1:2"}, {"VIGIA_TOKEN", "from-env"}};

  auto c = loadAgentConfig(withConfig(file), env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "http://127.0.0.1:2");
  EXPECT_EQ(c->token, "from-env");
  EXPECT_EQ(c->interval_seconds, 10);
  EXPECT_EQ(c->timeout_seconds, 5);
  EXPECT_EQ(c->spool_dir, "/tmp/s");

  AgentFlags flags = withConfig(file);
  flags.given.set("--server", "http://127.0.0.1:3");
  flags.given.set("--token", "from-flag");
  flags.given.set("--interval", "7");
  c = loadAgentConfig(flags, env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "http://127.0.0.1:3");
  EXPECT_EQ(c->token, "from-flag");
  EXPECT_EQ(c->interval_seconds, 7);

  c = loadAgentConfig(withConfig(file), {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server, "http://127.0.0.1:1");
  EXPECT_EQ(c->token, "from-file");
}

TEST(AgentConfig, DefaultsMatchTheSpec) {
  AgentFlags flags;
  flags.given.set("--server", "https://vigia.example.com");
  auto c = loadAgentConfig(flags, {{"STATE_DIRECTORY", "/var/lib/private/vigia:/other"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->spool_max_reports, 1000u);
  EXPECT_EQ(c->spool_max_bytes, 268435456u);
  EXPECT_EQ(c->interval_seconds, 60);
  EXPECT_EQ(c->timeout_seconds, 30);
  EXPECT_EQ(c->spool_dir, "/var/lib/private/vigia/spool");
  EXPECT_TRUE(c->token.empty());
}

TEST(AgentConfig, TokenFileLosesItsTrailingNewlineOnly) {
  TempTree tree;
  AgentFlags flags;
  flags.given.set("--server", "http://localhost:8080");
  flags.given.set("--token-file", tree.write("token", "s3cret-token\n\n").string());
  auto c = loadAgentConfig(flags, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->token, "s3cret-token");

  flags.given.set("--token-file", tree.write("bad", "two words\n").string());
  EXPECT_FALSE(loadAgentConfig(flags, {}));
  flags.given.set("--token-file", tree.write("empty", " \n").string());
  EXPECT_FALSE(loadAgentConfig(flags, {}));
  flags.given.set("--token-file", (tree.root() / "missing").string());
  auto missing = loadAgentConfig(flags, {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot be read"), std::string::npos);
}

TEST(AgentConfig, TokensThatCouldBreakTheHeaderAreRefused) {
  for (const char* bad : {"a b", "a\r\nX-Evil: 1", "caf\xc3\xa9", "tab\there"}) {
    EXPECT_FALSE(normalizeToken(bad, "test")) << bad;
  }
  EXPECT_EQ(*normalizeToken("abc\t \n", "test"), "abc");
}

TEST(AgentConfig, FileMistakesAreErrorsNotDefaults) {
  TempTree tree;
  const std::pair<const char*, const char*> cases[] = {
      {"spool_max_report = 5\n", "unknown key"},
      {"interval = \"60\"\n", "interval"},
      {"interval = 0\n", "interval"},
      {"timeout = -1\n", "timeout"},
      {"allow_insecure_http = 1\n", "allow_insecure_http"},
      {"token = \"a\"\ntoken_file = \"/x\"\n", "not both"},
      {"server = \n", "config"},
  };
  for (const auto& [text, expected] : cases) {
    const auto file = tree.write("bad.toml", text);
    AgentFlags flags = withConfig(file);
    flags.given.set("--server", "http://127.0.0.1:1");
    auto c = loadAgentConfig(flags, {});
    ASSERT_FALSE(c) << text;
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message;
  }
}

TEST(AgentConfig, RangesAreChecked) {
  AgentFlags flags;
  flags.given.set("--server", "http://127.0.0.1:1");
  flags.given.set("--interval", "0");
  EXPECT_FALSE(loadAgentConfig(flags, {}));
  flags.given.set("--interval", "86401");
  EXPECT_FALSE(loadAgentConfig(flags, {}));
  flags.given.set("--interval", "1");
  flags.given.set("--timeout", "0");
  EXPECT_FALSE(loadAgentConfig(flags, {}));
}

TEST(AgentConfig, ServerUrlRules) {
  EXPECT_TRUE(checkServerUrl("https://vigia.example.com:8443", false));
  EXPECT_TRUE(checkServerUrl("https://vigia.example.com/prefix/", false));
  EXPECT_TRUE(checkServerUrl("http://127.0.0.1:8080", false));
  EXPECT_TRUE(checkServerUrl("http://127.9.9.9:8080", false));
  EXPECT_TRUE(checkServerUrl("http://localhost:8080", false));
  EXPECT_TRUE(checkServerUrl("http://[::1]:8080", false));
  EXPECT_FALSE(checkServerUrl("http://10.0.0.1:8080", false));
  EXPECT_FALSE(checkServerUrl("http://vigia.example.com", false));
  EXPECT_TRUE(checkServerUrl("http://vigia.example.com", true));
  EXPECT_FALSE(checkServerUrl("ftp://vigia.example.com", true));
  EXPECT_FALSE(checkServerUrl("vigia.example.com:8080", true));
  EXPECT_FALSE(checkServerUrl("https://user:pw@vigia.example.com", true));
  EXPECT_FALSE(checkServerUrl("", true));

  AgentFlags flags;
  auto none = loadAgentConfig(flags, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no server"), std::string::npos);
  EXPECT_TRUE(loadAgentConfig(flags, {}, /*need_server=*/false));
}

TEST(AgentConfig, InsecureHttpNeedsTheFileToSaySo) {
  TempTree tree;
  AgentFlags flags = withConfig(tree.write("a.toml", "allow_insecure_http = true\n"));
  flags.given.set("--server", "http://192.0.2.1:8080");
  EXPECT_TRUE(loadAgentConfig(flags, {}));
  flags.config_file.reset();
  EXPECT_FALSE(loadAgentConfig(flags, {}));
}

TEST(AgentConfig, ClientCertificateAndKeyGoTogether) {
  TempTree tree;
  AgentFlags flags;
  flags.given.set("--server", "https://vigia.example.com");
  flags.given.set("--client-cert", tree.write("c.pem", "x").string());
  EXPECT_FALSE(loadAgentConfig(flags, {}));
  flags.given.set("--client-key", tree.write("k.pem", "x").string());
  EXPECT_TRUE(loadAgentConfig(flags, {}));
  flags.given.set("--ca-file", (tree.root() / "nope.pem").string());
  EXPECT_FALSE(loadAgentConfig(flags, {}));
}

TEST(AgentConfig, ServerHostForTheSourceAddress) {
  EXPECT_EQ(serverHost("https://vigia.example.com:8443/x"), "vigia.example.com");
  EXPECT_EQ(serverHost("http://[::1]:8080"), "::1");
  EXPECT_EQ(serverHost("not a url"), "");
}

}  // namespace
}  // namespace vigia::agent
