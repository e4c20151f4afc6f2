#pragma once

// One row per option, in the style of fluent-bit's config_map: its TOML key, flag,
// environment variable, kind, default and help are declared once, and the TOML loading, the
// CLI11 flags, --help and --print-config all come from the rows. Each program keeps its table
// beside its configuration struct; the struct's fields get their defaults from the table.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/options/option_value.hpp"
#include "common/options/toml_file.hpp"
#include "common/result.hpp"

namespace vigia::options {

// Where an option's value came from, lowest first: a higher source replaces a lower one.
enum class Source { kDefault, kFile, kEnvironment, kFlag };

template <class Config>
struct Binding {
  Kind kind;
  // Checks the value (ranges, choices) and stores it; the message needs no key, the loader
  // adds where the value came from.
  std::function<common::Status(Config&, const Value&)> set;
  std::function<Value(const Config&)> get;
};

template <class Config>
struct Option {
  std::string_view key;   // TOML key, dotted inside a table: "files.compress"
  std::string_view flag;  // "--compress"; empty only where a flag cannot hold it (tables)
  Binding<Config> binding;
  Value default_value;
  std::string_view help;
  std::string_view negation = {};      // bool options: the flag that sets false
  std::string_view env = {};           // environment variable, when the program reads one
  std::string_view default_text = {};  // for a default computed at run time
  std::string_view value_name = {};    // --help's name of the value: FILE, DIR, TOKEN…
  bool secret = false;                 // printed as "<redacted>"
  unsigned scopes = ~0u;               // the subcommands that take the flag (a bit each)
};

// What the command line gave, by flag, before it is converted: a flag is applied after the
// file and the environment, and kept for reloads (SIGHUP).
class GivenFlags {
 public:
  void set(std::string_view flag, std::string text) {
    values_[std::string(flag)] = {std::move(text)};
  }
  void add(std::string_view flag, std::string text) {
    values_[std::string(flag)].push_back(std::move(text));
  }
  const std::vector<std::string>* find(std::string_view flag) const {
    auto it = values_.find(std::string(flag));
    return it == values_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

using Environment = std::map<std::string, std::string>;

inline common::Error optionError(const std::string& message) {
  return common::makeError(common::ErrorCode::kInvalidArgument, message);
}

template <class Config>
class OptionTable {
 public:
  explicit OptionTable(std::vector<Option<Config>> rows) : rows_(std::move(rows)) {}

  const std::vector<Option<Config>>& rows() const { return rows_; }

  // Every field at its default; the sources say kDefault.
  Config defaults() const {
    Config c{};
    for (const auto& row : rows_) {
      // A default that its own check refuses is a bug in the table: the tests load them all.
      (void)row.binding.set(c, row.default_value);
    }
    return c;
  }

  // Defaults, then the TOML file (when given), then the environment, then the flags.
  common::Result<Config> load(const std::optional<std::filesystem::path>& file,
                              const Environment& env, const GivenFlags& flags,
                              std::vector<Source>* sources = nullptr) const {
    Config c = defaults();
    std::vector<Source> from(rows_.size(), Source::kDefault);
    if (file) {
      auto parsed = TomlFile::read(*file, keys());
      if (!parsed) return parsed.error();
      for (const auto& entry : parsed->entries()) {
        const std::size_t i = indexOf(entry.key);
        const auto where = "config " + file->string() + ":" + std::to_string(entry.line) + ": " +
                           std::string(entry.key);
        if (auto st = apply(c, i, fromToml(*entry.node, rows_[i].binding.kind), where); !st) {
          return st.error();
        }
        from[i] = Source::kFile;
      }
    }
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].env.empty()) continue;
      auto it = env.find(std::string(rows_[i].env));
      if (it == env.end()) continue;
      auto st = apply(c, i, fromText(it->second, rows_[i].binding.kind), std::string(rows_[i].env));
      if (!st) return st.error();
      from[i] = Source::kEnvironment;
    }
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const auto* given = rows_[i].flag.empty() ? nullptr : flags.find(rows_[i].flag);
      if (given == nullptr) continue;
      auto value = flagValue(rows_[i], *given);
      if (auto st = apply(c, i, std::move(value), std::string(rows_[i].flag)); !st) {
        return st.error();
      }
      from[i] = Source::kFlag;
    }
    if (sources != nullptr) *sources = std::move(from);
    return c;
  }

  // Adds each row's flag (and negation) to `app`, recording into `flags`. Only the rows whose
  // scopes meet `scope`.
  void addFlags(CLI::App& app, GivenFlags& flags, unsigned scope = ~0u) const {
    for (const auto& row : rows_) {
      if (row.flag.empty() || (row.scopes & scope) == 0) continue;
      const std::string flag(row.flag);
      const std::string help = helpOf(row);
      switch (row.binding.kind) {
        case Kind::kBool:
          app.add_flag_callback(
              flag, [&flags, flag] { flags.set(flag, "true"); }, help);
          if (!row.negation.empty()) {
            app.add_flag_callback(
                std::string(row.negation), [&flags, flag] { flags.set(flag, "false"); },
                "The opposite of " + flag);
          }
          break;
        case Kind::kStringList:
          app.add_option_function<std::vector<std::string>>(
                 flag,
                 [&flags, flag](const std::vector<std::string>& items) {
                   for (const auto& item : items) flags.add(flag, item);
                 },
                 help)
              ->type_name(typeName(row))
              ->expected(1)
              ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
          break;
        default:
          app.add_option_function<std::string>(
                 flag, [&flags, flag](const std::string& text) { flags.set(flag, text); }, help)
              ->type_name(typeName(row));
      }
    }
  }

  // The effective configuration as TOML that loads back to the same configuration.
  void print(const Config& c, std::ostream& out) const {
    std::string section;
    auto rowsIn = [&](bool tables) {
      for (const auto& row : rows_) {
        if ((row.binding.kind == Kind::kTableList) != tables) continue;
        const std::string key(row.key);
        const auto dot = key.rfind('.');
        const std::string table = dot == std::string::npos ? "" : key.substr(0, dot);
        const std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
        const Value value = row.binding.get(c);
        if (tables) {
          for (const auto& t : std::get<std::vector<StringTable>>(value)) {
            out << "\n[[" << key << "]]\n";
            for (const auto& [k, v] : t) out << k << " = " << toToml(Value(v)) << '\n';
          }
          continue;
        }
        if (table != section) {
          out << "\n[" << table << "]\n";
          section = table;
        }
        out << name << " = " << (row.secret && hasText(value) ? redacted(value) : toToml(value))
            << '\n';
      }
    };
    rowsIn(false);
    rowsIn(true);
  }

  std::vector<std::string_view> keys() const {
    std::vector<std::string_view> out;
    for (const auto& row : rows_) out.push_back(row.key);
    return out;
  }

  std::size_t indexOf(std::string_view key) const {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].key == key) return i;
    }
    return rows_.size();
  }

  // The row's help with where else it can be set and its default, as --help shows it.
  static std::string helpOf(const Option<Config>& row) {
    std::string help(row.help);
    help += " [config: " + std::string(row.key);
    if (!row.env.empty()) help += "; env: " + std::string(row.env);
    const std::string shown =
        row.default_text.empty() ? toDisplay(row.default_value) : std::string(row.default_text);
    help += "; default: " + shown + "]";
    return help;
  }

 private:
  static std::string typeName(const Option<Config>& row) {
    if (!row.value_name.empty()) return std::string(row.value_name);
    switch (row.binding.kind) {
      case Kind::kInteger:
        return "INT";
      case Kind::kNumber:
        return "NUMBER";
      default:
        return "TEXT";
    }
  }

  static bool hasText(const Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return !s->empty();
    if (const auto* l = std::get_if<std::vector<std::string>>(&value)) return !l->empty();
    return true;
  }

  static std::string redacted(const Value& value) {
    if (const auto* l = std::get_if<std::vector<std::string>>(&value)) {
      return toToml(Value(std::vector<std::string>(l->size(), "<redacted>")));
    }
    return toToml(Value(std::string("<redacted>")));
  }

  static common::Result<Value> flagValue(const Option<Config>& row,
                                         const std::vector<std::string>& given) {
    if (row.binding.kind != Kind::kStringList) return fromText(given.back(), row.binding.kind);
    return Value(given);
  }

  common::Status apply(Config& c, std::size_t i, common::Result<Value> value,
                       const std::string& where) const {
    if (!value) return optionError(where + ": " + value.error().message);
    if (auto st = rows_[i].binding.set(c, *value); !st) {
      return optionError(where + ": " + st.error().message);
    }
    return common::Ok{};
  }

  std::vector<Option<Config>> rows_;
};

}  // namespace vigia::options
