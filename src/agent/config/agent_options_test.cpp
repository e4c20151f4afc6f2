#include "agent/config/agent_options.hpp"

#include <gtest/gtest.h>

#include "option_table_checks.hpp"

namespace vigia::agent {
namespace {

TEST(AgentOptions, EveryOptionIsReachableFromTomlAndFromItsFlag) {
  options::test::expectEveryOptionReachable(agentOptions(), {});
}

TEST(AgentOptions, TheCommandsHelpNamesEveryOption) {
  CLI::App app{"vigia-agent"};
  options::GivenFlags given;
  std::string help;
  for (unsigned scope : {kCollectCommand, kSendCommand, kRunCommand, kCheckCommand}) {
    CLI::App command{"command"};
    agentOptions().addFlags(command, given, scope);
    help += command.help();
  }
  options::test::expectHelpNamesEveryOption(agentOptions(), help);
}

TEST(AgentOptions, TheEnvironmentSitsBetweenTheFileAndTheFlags) {
  const auto file = options::test::writeTemp("agent", "server = \"https://file.example\"\n");
  options::GivenFlags flags;
  const options::Environment env{{"VIGIA_SERVER", "https://env.example"}};
  auto c = agentOptions().load(file, env, flags);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server, "https://env.example");
  flags.set("--server", "https://flag.example");
  c = agentOptions().load(file, env, flags);
  std::filesystem::remove(file);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server, "https://flag.example");
}

TEST(AgentOptions, TheShippedConfigFileShowsEveryOptionAtItsDefault) {
  options::test::expectShippedFileShowsTheDefaults(
      agentOptions(), std::filesystem::path(VIGIA_SOURCE_DIR) / "packaging/config/agent.toml");
}

}  // namespace
}  // namespace vigia::agent
