#include "agent/collectors/os_release.hpp"

#include <sys/utsname.h>

#include "agent/collectors/file_io.hpp"
#include "common/utf8.hpp"

namespace vigia::agent {
namespace {

bool isKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string unquote(std::string_view raw) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        out.push_back(c);
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < raw.size() &&
                 std::string_view("$\"\\`").find(raw[i + 1]) != std::string_view::npos) {
        out.push_back(raw[++i]);
      } else {
        out.push_back(c);
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && i + 1 < raw.size()) {
      out.push_back(raw[++i]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parseOsRelease(std::string_view text) {
  std::map<std::string, std::string> values;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    bool valid_key = true;
    for (char c : key) valid_key = valid_key && isKeyChar(c);
    if (!valid_key) continue;
    values[std::string(key)] = common::sanitizeUtf8(unquote(line.substr(eq + 1)));
  }
  return values;
}

KernelIdentity currentKernel() {
  utsname u{};
  if (::uname(&u) != 0) return {};
  return {u.release, u.machine};
}

common::OsInfo osInfoFrom(const std::map<std::string, std::string>& os_release,
                          const KernelIdentity& kernel) {
  auto get = [&](const char* key) -> std::optional<std::string> {
    auto it = os_release.find(key);
    if (it == os_release.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  common::OsInfo os;
  os.name = get("NAME").value_or("Linux");
  os.id = get("ID").value_or("linux");
  os.version_id = get("VERSION_ID");
  os.version = get("VERSION").value_or(os.version_id.value_or(kernel.release));
  if (!kernel.release.empty()) os.kernel = kernel.release;
  if (!kernel.machine.empty()) os.arch = kernel.machine;
  return os;
}

common::OsInfo readOsInfo(const SystemPaths& paths, const KernelIdentity& kernel) {
  auto text = readFile(paths.etc / "os-release", 64 * 1024);
  if (!text) text = readFile(paths.usr_lib / "os-release", 64 * 1024);
  return osInfoFrom(text ? parseOsRelease(*text) : std::map<std::string, std::string>{}, kernel);
}

common::Status OsCollector::collect(const CollectContext& context, common::Report& report) {
  report.os = readOsInfo(context.paths, currentKernel());
  return common::Ok{};
}

}  // namespace vigia::agent
