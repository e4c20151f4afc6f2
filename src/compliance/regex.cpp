#include "compliance/regex.hpp"

#include <re2/filtered_re2.h>

#include <algorithm>
#include <cstring>

namespace vigia::compliance {
namespace {

// Atoms shorter than this would pass nearly every value; FilteredRE2 leaves them out.
constexpr int kMinAtomLength = 3;

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_never_capture(true);  // matching only: no submatch bookkeeping
  return o;
}

// The atoms of `pattern`, or none when they cannot serve as a prefilter. FilteredRE2 lower-cases
// every rune of an atom; a value is compared with them ignoring ASCII case only, so a pattern
// with a non-ASCII atom is left unfiltered rather than risk turning away a value that matches.
std::vector<std::string> atomsOf(const std::string& pattern) {
  re2::FilteredRE2 filter(kMinAtomLength);
  int id = 0;
  if (filter.Add(pattern, options(), &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  const bool ascii = std::all_of(atoms.begin(), atoms.end(), [](const std::string& a) {
    return !a.empty() && std::all_of(a.begin(), a.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  });
  if (!ascii) return {};
  // Longer atoms are rarer: trying them first turns values away sooner.
  std::sort(atoms.begin(), atoms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return atoms;
}

}  // namespace

bool containsIgnoringAsciiCase(std::string_view text, std::string_view lower) {
  if (lower.empty()) return true;
  if (lower.size() > text.size()) return false;
  const char first = lower.front();
  const bool letter = first >= 'a' && first <= 'z';
  const char variants[2] = {first, letter ? static_cast<char>(first - 'a' + 'A') : first};
  const char* const last = text.data() + (text.size() - lower.size());
  for (int v = 0; v < (letter ? 2 : 1); ++v) {
    const char* p = text.data();
    while (p <= last) {
      p = static_cast<const char*>(
          std::memchr(p, variants[v], static_cast<std::size_t>(last - p) + 1));
      if (!p) break;
      std::size_t i = 1;
      while (i < lower.size() && lowerAscii(p[i]) == lower[i]) ++i;
      if (i == lower.size()) return true;
      ++p;
    }
  }
  return false;
}

std::variant<Regex, std::string> Regex::compile(const std::string& pattern) {
  Regex r;
  r.re_ = std::make_unique<RE2>(pattern, options());
  if (!r.re_->ok()) return r.re_->error();
  r.atoms_ = atomsOf(pattern);
  return r;
}

bool Regex::matches(std::string_view text) const {
  if (!atoms_.empty()) {
    const bool possible = std::any_of(atoms_.begin(), atoms_.end(), [&](const std::string& a) {
      return containsIgnoringAsciiCase(text, a);
    });
    if (!possible) return false;
  }
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace vigia::compliance
