#include "agent/collectors/proc_stat.hpp"

#include <charconv>

#include "agent/collectors/file_io.hpp"

namespace vigia::agent {
namespace {

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::optional<std::int64_t> parseBootTime(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    if (line.starts_with("btime ")) {
      std::int64_t v = 0;
      if (parseNumber(trim(line.substr(6)), v)) return v;
      return std::nullopt;
    }
    pos = eol + 1;
  }
  return std::nullopt;
}

std::optional<std::int64_t> readBootTime(const SystemPaths& paths) {
  auto text = readFile(paths.proc / "stat", 1 << 20);
  if (!text) return std::nullopt;
  return parseBootTime(*text);
}

std::optional<PidStat> parsePidStat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  PidStat st;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 9 flags, 14 utime, 15 stime,
  // 22 starttime, 24 rss.
  std::string_view rest = text.substr(close + 1);
  int field = 2;
  bool ok = true;
  while (!rest.empty() && field < 24) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view tok = rest.substr(0, end);
    rest.remove_prefix(end);
    if (tok.empty()) break;
    ++field;
    switch (field) {
      case 3:
        st.state = tok.front();
        break;
      case 4:
        ok = ok && parseNumber(tok, st.ppid);
        break;
      case 9:
        ok = ok && parseNumber(tok, st.flags);
        break;
      case 14:
        ok = ok && parseNumber(tok, st.utime_ticks);
        break;
      case 15:
        ok = ok && parseNumber(tok, st.stime_ticks);
        break;
      case 22:
        ok = ok && parseNumber(tok, st.start_ticks);
        break;
      case 24:
        ok = ok && parseNumber(tok, st.rss_pages);
        break;
      default:
        break;
    }
  }
  if (!ok || field < 24) return std::nullopt;
  return st;
}

}  // namespace vigia::agent
