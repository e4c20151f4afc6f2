#pragma once

// Bindings of an option to a field of its configuration struct, with the check of its value.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "common/options/option_table.hpp"

namespace vigia::options {

template <class Config>
Binding<Config> boolField(bool Config::*field) {
  return {Kind::kBool,
          [field](Config& c, const Value& v) -> common::Status {
            c.*field = std::get<bool>(v);
            return common::Ok{};
          },
          [field](const Config& c) { return Value(c.*field); }};
}

template <class Config, class T>
Binding<Config> integerField(T Config::*field, std::int64_t min, std::int64_t max) {
  return {Kind::kInteger,
          [field, min, max](Config& c, const Value& v) -> common::Status {
            const auto n = std::get<std::int64_t>(v);
            if (n < min || n > max) {
              return optionError("expected an integer from " + std::to_string(min) + " to " +
                                 std::to_string(max));
            }
            c.*field = static_cast<T>(n);
            return common::Ok{};
          },
          [field](const Config& c) { return Value(static_cast<std::int64_t>(c.*field)); }};
}

template <class Config>
Binding<Config> numberField(double Config::*field, double min, double max) {
  return {Kind::kNumber,
          [field, min, max](Config& c, const Value& v) -> common::Status {
            const double n = std::get<double>(v);
            if (!std::isfinite(n) || n < min || n > max) {
              return optionError("expected a number from " + toToml(Value(min)) + " to " +
                                 toToml(Value(max)));
            }
            c.*field = n;
            return common::Ok{};
          },
          [field](const Config& c) { return Value(c.*field); }};
}

// A string, one of `choices` when there are any.
template <class Config>
Binding<Config> stringField(std::string Config::*field, std::vector<std::string> choices = {}) {
  return {
      Kind::kString,
      [field, choices](Config& c, const Value& v) -> common::Status {
        const auto& text = std::get<std::string>(v);
        if (!choices.empty() && std::find(choices.begin(), choices.end(), text) == choices.end()) {
          std::string list;
          for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
          return optionError("expected one of " + list);
        }
        c.*field = text;
        return common::Ok{};
      },
      [field](const Config& c) { return Value(c.*field); }};
}

template <class Config>
Binding<Config> pathField(std::filesystem::path Config::*field) {
  return {Kind::kString,
          [field](Config& c, const Value& v) -> common::Status {
            c.*field = std::get<std::string>(v);
            return common::Ok{};
          },
          [field](const Config& c) { return Value((c.*field).string()); }};
}

template <class Config>
Binding<Config> stringListField(std::vector<std::string> Config::*field) {
  return {Kind::kStringList,
          [field](Config& c, const Value& v) -> common::Status {
            c.*field = std::get<std::vector<std::string>>(v);
            return common::Ok{};
          },
          [field](const Config& c) { return Value(c.*field); }};
}

template <class Config>
Binding<Config> pathListField(std::vector<std::filesystem::path> Config::*field) {
  return {Kind::kStringList,
          [field](Config& c, const Value& v) -> common::Status {
            const auto& items = std::get<std::vector<std::string>>(v);
            (c.*field).assign(items.begin(), items.end());
            return common::Ok{};
          },
          [field](const Config& c) {
            std::vector<std::string> items;
            for (const auto& p : c.*field) items.push_back(p.string());
            return Value(std::move(items));
          }};
}

}  // namespace vigia::options
