#include "common/options/toml_file.hpp"

#include <algorithm>
#include <memory>

namespace vigia::options {
namespace {

common::Error fileError(const std::filesystem::path& path, std::size_t line,
                        const std::string& message) {
  return common::makeError(common::ErrorCode::kInvalidArgument,
                           "config " + path.string() + ":" + std::to_string(line) + ": " + message);
}

bool isSection(std::string_view name, const std::vector<std::string_view>& known_keys) {
  return std::any_of(known_keys.begin(), known_keys.end(), [&](std::string_view key) {
    return key.size() > name.size() && key.starts_with(name) && key[name.size()] == '.';
  });
}

}  // namespace

common::Result<TomlFile> TomlFile::read(const std::filesystem::path& path,
                                        const std::vector<std::string_view>& known_keys) {
  TomlFile file;
  try {
    file.root_ = std::make_unique<toml::table>(toml::parse_file(path.string()));
  } catch (const toml::parse_error& err) {
    return fileError(path, err.source().begin.line, std::string(err.description()));
  }
  if (auto st = file.collect(*file.root_, "", known_keys, path); !st) return st.error();
  return file;
}

common::Status TomlFile::collect(const toml::table& table, const std::string& prefix,
                                 const std::vector<std::string_view>& known_keys,
                                 const std::filesystem::path& path) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    const std::size_t line = node.source().begin.line;
    if (std::find(known_keys.begin(), known_keys.end(), name) != known_keys.end()) {
      entries_.push_back({name, &node, line});
    } else if (node.is_table() && isSection(name, known_keys)) {
      if (auto st = collect(*node.as_table(), name + ".", known_keys, path); !st) return st;
    } else if (isSection(name, known_keys)) {
      return fileError(path, line, name + ": expected a table [" + name + "]");
    } else {
      return fileError(path, line, "unknown key \"" + name + "\"");
    }
  }
  return common::Ok{};
}

}  // namespace vigia::options
