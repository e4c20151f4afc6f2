#pragma once

// The query string of a GET: each parameter once, each one the endpoint knows (a typo such
// as `nmae=` is a 400, not a silently unfiltered answer), percent-decoded, and typed readers
// that answer with the parameter's name when a value is wrong.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time_util.hpp"

namespace vigia::server {

class QueryParams {
 public:
  // `allowed`: the parameters the endpoint takes.
  static common::Result<QueryParams> parse(std::string_view query,
                                           const std::vector<std::string_view>& allowed);

  std::optional<std::string> text(const std::string& key) const;
  // An integer in [min, max], else the error names the key.
  common::Result<std::optional<std::int64_t>> integer(const std::string& key, std::int64_t min,
                                                      std::int64_t max) const;
  common::Result<std::optional<common::Timestamp>> time(const std::string& key) const;
  // A canonical IP literal.
  common::Result<std::optional<std::string>> ip(const std::string& key) const;
  bool csv() const;  // format=csv (any other format is refused by parse)

 private:
  std::map<std::string, std::string> values_;
};

// Percent-decoding of a path segment or query value ('+' is a space only in queries).
std::string percentDecode(std::string_view text, bool plus_is_space);

}  // namespace vigia::server
