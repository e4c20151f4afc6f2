#include "compliance/version_order.hpp"

#include <optional>

namespace vigia::compliance {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

struct Run {
  std::string_view text;
  bool numeric = false;
};

// Walks a version run by run without building a list: comparisons stop at the first run that
// differs, and most versions differ early.
class Runs {
 public:
  explicit Runs(std::string_view text) : text_(text) {}

  std::optional<Run> next() {
    while (pos_ < text_.size() && !isDigit(text_[pos_]) && !isLetter(text_[pos_])) ++pos_;
    if (pos_ == text_.size()) return std::nullopt;
    const bool numeric = isDigit(text_[pos_]);
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (numeric ? isDigit(text_[pos_]) : isLetter(text_[pos_]))) ++pos_;
    return Run{text_.substr(start, pos_ - start), numeric};
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

int sign(int v) { return (v > 0) - (v < 0); }

// Numbers of any length: leading zeros dropped, then the longer is larger, then digit by digit.
int compareNumbers(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

int compareWords(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char x = lower(a[i]), y = lower(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

int compareRuns(const Run& a, const Run& b) {
  if (a.numeric != b.numeric) return a.numeric ? 1 : -1;
  return a.numeric ? compareNumbers(a.text, b.text) : compareWords(a.text, b.text);
}

// Like compareVersions, except that a bound whose runs are all matched compares equal.
int compareToBound(std::string_view version, std::string_view bound) {
  Runs v(version), b(bound);
  for (;;) {
    const auto rb = b.next();
    const auto rv = v.next();
    if (!rb) return 0;
    if (!rv) return -1;
    if (const int c = compareRuns(*rv, *rb); c != 0) return c;
  }
}

}  // namespace

int compareVersions(std::string_view a, std::string_view b) {
  Runs ra(a), rb(b);
  for (;;) {
    const auto x = ra.next();
    const auto y = rb.next();
    if (!x || !y) return x ? 1 : (y ? -1 : 0);
    if (const int c = compareRuns(*x, *y); c != 0) return c;
  }
}

bool versionAtLeast(std::string_view version, std::string_view min) {
  return compareToBound(version, min) >= 0;
}

bool versionAtMost(std::string_view version, std::string_view max) {
  return compareToBound(version, max) <= 0;
}

}  // namespace vigia::compliance
