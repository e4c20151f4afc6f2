#pragma once

// The SQL of the fleet-wide run searches (sqlite_search.cpp), exposed so that a test can
// check the plans SQLite makes of it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "server/storage/queries.hpp"

namespace vigia::server {

struct SearchSql {
  using Value = std::variant<std::int64_t, std::string>;
  std::string text;
  std::vector<Value> values;  // bound as ?1, ?2, …
};

// `exact`: (column, value) equalities; `contains`: a (column, substring).
SearchSql searchSql(const std::string& table, const std::string& identity, const RunQuery& q,
                    const std::vector<std::pair<std::string, std::string>>& exact,
                    const std::optional<std::pair<std::string, std::string>>& contains);

}  // namespace vigia::server
