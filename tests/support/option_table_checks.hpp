#pragma once

// Checks every program's option table passes: each row's default is valid, each row with a
// flag reaches the same field from TOML and from its flag, --help names every row, and the
// shipped config file shows every option at its default.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include "common/options/option_table.hpp"

namespace vigia::options::test {

// A value for `row` other than its default that its check accepts; `samples` gives the ones
// that only the program knows (an address, a choice), by key.
template <class Config>
Value sampleOf(const Option<Config>& row, const std::map<std::string, Value>& samples) {
  if (auto it = samples.find(std::string(row.key)); it != samples.end()) return it->second;
  const Value& d = row.default_value;
  switch (row.binding.kind) {
    case Kind::kBool:
      return Value(!std::get<bool>(d));
    case Kind::kInteger:
      return Value(std::get<std::int64_t>(d) + 1);
    case Kind::kNumber:
      return Value(std::get<double>(d) + 1.5);
    case Kind::kString:
      return Value("sample-" + std::string(row.key));
    case Kind::kStringList:
      return Value(std::vector<std::string>{"sample-a", "sample-b"});
    case Kind::kTableList:
      break;
  }
  return d;
}

// `key = value` placed in its table.
inline std::string tomlLine(std::string_view key, const Value& value) {
  const std::string k(key);
  const auto dot = k.rfind('.');
  if (dot == std::string::npos) return k + " = " + toToml(value) + "\n";
  return "[" + k.substr(0, dot) + "]\n" + k.substr(dot + 1) + " = " + toToml(value) + "\n";
}

inline std::filesystem::path writeTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    (name + "-" + std::to_string(std::random_device{}()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

template <class Config>
void expectEveryOptionReachable(const OptionTable<Config>& table,
                                const std::map<std::string, Value>& samples) {
  const Config defaults = table.defaults();
  for (const auto& row : table.rows()) {
    SCOPED_TRACE(std::string(row.key));
    Config probe{};
    EXPECT_TRUE(row.binding.set(probe, row.default_value)) << "the default is refused";
    if (row.binding.kind == Kind::kTableList) continue;  // config file only, tested by its program
    ASSERT_FALSE(row.flag.empty()) << "every scalar option has a flag";
    const Value sample = sampleOf(row, samples);

    const auto file = writeTemp("option", tomlLine(row.key, sample));
    auto from_file = table.load(file, {}, {});
    std::filesystem::remove(file);
    ASSERT_TRUE(from_file) << from_file.error().message;

    GivenFlags flags;
    if (const auto* list = std::get_if<std::vector<std::string>>(&sample)) {
      for (const auto& item : *list) flags.add(row.flag, item);
    } else {
      flags.set(row.flag, std::holds_alternative<std::string>(sample)
                              ? std::get<std::string>(sample)
                              : toToml(sample));
    }
    auto from_flag = table.load(std::nullopt, {}, flags);
    ASSERT_TRUE(from_flag) << from_flag.error().message;

    EXPECT_EQ(row.binding.get(*from_file), row.binding.get(*from_flag));
    EXPECT_NE(row.binding.get(*from_file), row.binding.get(defaults))
        << "the value changed nothing";
  }
}

template <class Config>
void expectHelpNamesEveryOption(const OptionTable<Config>& table, const std::string& help) {
  for (const auto& row : table.rows()) {
    if (!row.flag.empty()) {
      EXPECT_NE(help.find(std::string(row.flag)), std::string::npos) << row.flag;
    }
    EXPECT_NE(help.find(std::string(row.key)), std::string::npos) << row.key;
  }
}

// The shipped file shows each option commented out as `#key = default` (sshd_config's
// convention), under `#[table]` headings: with those lines uncommented it must load, set every
// option, and give exactly the defaults.
template <class Config>
void expectShippedFileShowsTheDefaults(const OptionTable<Config>& table,
                                       const std::filesystem::path& shipped) {
  std::ifstream in(shipped);
  ASSERT_TRUE(in) << shipped;
  std::string line, uncommented;
  const std::regex setting(R"(^#(\[[a-z_.]+\]|[a-z_]+ = .*)$)");
  while (std::getline(in, line)) {
    if (std::regex_match(line, setting)) uncommented += line.substr(1) + "\n";
  }
  const auto file = writeTemp("shipped", uncommented);
  std::vector<Source> sources;
  auto loaded = table.load(file, {}, {}, &sources);
  std::filesystem::remove(file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const Config defaults = table.defaults();
  for (std::size_t i = 0; i < table.rows().size(); ++i) {
    const auto& row = table.rows()[i];
    SCOPED_TRACE(std::string(row.key));
    if (row.binding.kind == Kind::kTableList) continue;
    EXPECT_EQ(sources[i], Source::kFile) << "missing from " << shipped;
    EXPECT_EQ(row.binding.get(*loaded), row.binding.get(defaults)) << "not the default";
  }
}

}  // namespace vigia::options::test
