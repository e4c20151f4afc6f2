#include "common/options/option_value.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

namespace vigia::options {
namespace {

common::Error expected(Kind kind) {
  return common::makeError(common::ErrorCode::kInvalidArgument,
                           "expected " + std::string(describe(kind)));
}

std::string quoted(const std::string& text) {
  std::ostringstream out;
  out << toml::value<std::string>(text);
  return out.str();
}

}  // namespace

std::string_view describe(Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return "true or false";
    case Kind::kInteger:
      return "an integer";
    case Kind::kNumber:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kStringList:
      return "an array of strings";
    case Kind::kTableList:
      return "an array of tables of strings";
  }
  return "a value";
}

common::Result<Value> fromToml(const toml::node& node, Kind kind) {
  switch (kind) {
    case Kind::kBool:
      if (const auto* b = node.as_boolean()) return Value(**b);
      break;
    case Kind::kInteger:
      if (const auto* i = node.as_integer()) return Value(**i);
      break;
    case Kind::kNumber:
      if (const auto* i = node.as_integer()) return Value(static_cast<double>(**i));
      if (const auto* f = node.as_floating_point()) return Value(**f);
      break;
    case Kind::kString:
      if (const auto* s = node.as_string()) return Value(**s);
      break;
    case Kind::kStringList: {
      const auto* list = node.as_array();
      if (list == nullptr) break;
      std::vector<std::string> items;
      for (const auto& item : *list) {
        const auto* s = item.as_string();
        if (s == nullptr) return expected(kind);
        items.push_back(**s);
      }
      return Value(std::move(items));
    }
    case Kind::kTableList: {
      const auto* list = node.as_array();
      if (list == nullptr || !list->is_array_of_tables()) break;
      std::vector<StringTable> tables;
      for (const auto& item : *list) {
        StringTable table;
        for (const auto& [key, value] : *item.as_table()) {
          const auto* s = value.as_string();
          if (s == nullptr) {
            return common::makeError(common::ErrorCode::kInvalidArgument,
                                     std::string(key.str()) + ": expected a string");
          }
          table.emplace_back(std::string(key.str()), **s);
        }
        tables.push_back(std::move(table));
      }
      return Value(std::move(tables));
    }
  }
  return expected(kind);
}

common::Result<Value> fromText(std::string_view text, Kind kind) {
  switch (kind) {
    case Kind::kBool:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      break;
    case Kind::kInteger: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return Value(v);
      break;
    }
    case Kind::kNumber: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v)) {
        return Value(v);
      }
      break;
    }
    case Kind::kString:
      return Value(std::string(text));
    case Kind::kStringList:
      return Value(std::vector<std::string>{std::string(text)});
    case Kind::kTableList:
      break;
  }
  return expected(kind);
}

std::string toToml(const Value& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::ostringstream out;
      out << toml::value<double>(d);
      return out.str();
    }
    std::string operator()(const std::string& s) const { return quoted(s); }
    std::string operator()(const std::vector<std::string>& list) const {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quoted(list[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<StringTable>&) const { return {}; }
  };
  return std::visit(Visitor{}, value);
}

std::string toDisplay(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return s->empty() ? "none" : *s;
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    if (list->empty()) return "none";
    std::string out;
    for (const auto& item : *list) out += (out.empty() ? "" : ", ") + item;
    return out;
  }
  if (std::holds_alternative<std::vector<StringTable>>(value)) return "none";
  return toToml(value);
}

}  // namespace vigia::options
