#pragma once

// The values an option can hold, and their conversions from TOML, from text (flags and the
// environment) and back to TOML, shared by every program's option table.

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace vigia::options {

enum class Kind {
  kBool,
  kInteger,
  kNumber,
  kString,
  kStringList,
  kTableList,  // an array of tables of strings: [[compliance.webhooks]]
};

// One table of an array of tables, its keys in file order.
using StringTable = std::vector<std::pair<std::string, std::string>>;
using Value = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>,
                           std::vector<StringTable>>;

// "true or false", "an integer", …: the tail of an "expected …" message.
std::string_view describe(Kind kind);

common::Result<Value> fromToml(const toml::node& node, Kind kind);

// A flag's or environment variable's text. Lists take one item per call (flags repeat).
common::Result<Value> fromText(std::string_view text, Kind kind);

// A TOML literal (kTableList has none: the printer writes its tables).
std::string toToml(const Value& value);

// As people read it in --help: strings unquoted, lists comma-separated.
std::string toDisplay(const Value& value);

}  // namespace vigia::options
