#pragma once

// A policy's regular expression: RE2 (linear time), matching anywhere in the value, with a
// prefilter. RE2's FilteredRE2 works out literals ("atoms") of which every match contains at
// least one: `(?i)stratum[0-9]?\+(tcp|ssl|tls)://` needs "stratum", `^/tmp/` needs "/tmp/".
// A value holding none of them cannot match and is turned away with a few memchr calls, which
// is most of the values most rules see, instead of a regex search each.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigia::compliance {

class Regex {
 public:
  // The compiled pattern, or RE2's error text.
  static std::variant<Regex, std::string> compile(const std::string& pattern);

  bool matches(std::string_view text) const;
  // Lower case, as FilteredRE2 gives them; empty when the pattern has no usable literal.
  const std::vector<std::string>& atoms() const { return atoms_; }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<std::string> atoms_;
};

// Whether `text` contains `lower` (lower-case ASCII) ignoring ASCII case.
bool containsIgnoringAsciiCase(std::string_view text, std::string_view lower);

}  // namespace vigia::compliance
