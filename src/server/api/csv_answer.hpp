#pragma once

// `?format=csv` on every list endpoint (docs/api.md): the same items as the JSON answer, one row
// each, under a header naming their keys; quoted as the CSV files are, with their formula
// guard; streamed page by page, so that an export of the whole fleet's history never sits in
// memory.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "server/api/api_types.hpp"

namespace vigia::server {

using Json = nlohmann::ordered_json;

// One CSV row of an item: strings and numbers as cells, null as an empty one, a list of plain
// values joined with ';', an object or a list of objects as its compact JSON.
void appendCsvRow(const Json& item, const std::vector<std::string>& keys, bool formula_guard,
                  std::string& out);

// The next page of items, and whether another follows.
struct CsvPage {
  std::vector<Json> items;
  bool more = false;
};
using CsvPager = std::function<common::Result<CsvPage>()>;

// A 200 text/csv answer: the header, then every page `next` gives.
ApiResponse csvAnswer(std::vector<std::string> keys, bool formula_guard, CsvPager next,
                      const std::string& filename);

}  // namespace vigia::server
