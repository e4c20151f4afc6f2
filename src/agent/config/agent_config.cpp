#include "agent/config/agent_config.hpp"

#include <curl/curl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/identifiers.hpp"
#include "common/redaction.hpp"

namespace vigia::agent {
namespace {

using common::ErrorCode;
using common::makeError;

common::Error configError(const std::string& message) {
  return makeError(ErrorCode::kInvalidArgument, message);
}

// Settings as read from the file, kept apart so precedence is applied in one place.
struct FileSettings {
  std::optional<std::string> server, token, token_file, ca_file, client_cert, client_key, spool_dir;
  std::optional<std::int64_t> spool_max_reports, spool_max_bytes, interval, timeout;
  std::optional<bool> allow_insecure_http;
  std::optional<bool> redact;
  std::optional<std::vector<std::string>> redact_patterns;
};

common::Result<FileSettings> readConfigFile(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& err) {
    return configError("config " + path + ":" + std::to_string(err.source().begin.line) + ": " +
                       std::string(err.description()));
  }
  FileSettings s;
  for (const auto& entry : root) {
    // Named references rather than a structured binding: C++20 lambdas may not capture those
    // (clang refuses, g++ merely tolerates).
    const std::string k(entry.first.str());
    const toml::node& node = entry.second;
    auto string = [&](std::optional<std::string>& out) -> common::Status {
      if (!node.is_string()) return configError("config: " + k + ": expected a string");
      out = **node.as_string();
      return common::Ok{};
    };
    auto positive = [&](std::optional<std::int64_t>& out) -> common::Status {
      if (!node.is_integer() || **node.as_integer() <= 0) {
        return configError("config: " + k + ": expected a positive integer");
      }
      out = **node.as_integer();
      return common::Ok{};
    };
    common::Status st = common::Ok{};
    if (k == "server")
      st = string(s.server);
    else if (k == "token")
      st = string(s.token);
    else if (k == "token_file")
      st = string(s.token_file);
    else if (k == "ca_file")
      st = string(s.ca_file);
    else if (k == "client_cert")
      st = string(s.client_cert);
    else if (k == "client_key")
      st = string(s.client_key);
    else if (k == "spool_dir")
      st = string(s.spool_dir);
    else if (k == "spool_max_reports")
      st = positive(s.spool_max_reports);
    else if (k == "spool_max_bytes")
      st = positive(s.spool_max_bytes);
    else if (k == "interval")
      st = positive(s.interval);
    else if (k == "timeout")
      st = positive(s.timeout);
    else if (k == "allow_insecure_http") {
      if (!node.is_boolean()) return configError("config: " + k + ": expected true or false");
      s.allow_insecure_http = **node.as_boolean();
    } else if (k == "redact") {
      if (!node.is_boolean()) return configError("config: " + k + ": expected true or false");
      s.redact = **node.as_boolean();
    } else if (k == "redact_patterns") {
      const toml::array* list = node.as_array();
      if (list == nullptr) return configError("config: " + k + ": expected an array of strings");
      s.redact_patterns.emplace();
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto* text = (*list)[i].as_string();
        if (text == nullptr) {
          return configError("config: " + k + "[" + std::to_string(i) + "]: expected a string");
        }
        s.redact_patterns->push_back(**text);
      }
    } else {
      // A typo such as `spool_max_report` must not silently fall back to a default.
      return configError("config: unknown key \"" + k + "\"");
    }
    if (!st) return st.error();
  }
  return s;
}

common::Result<std::string> readTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return configError("token file " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 4096) return configError("token file " + path + ": too large");
  return normalizeToken(text.str(), "token file " + path);
}

bool writableOrCreatable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return !ec && ::access(dir.c_str(), W_OK | X_OK) == 0;
}

// A URL split by libcurl, the same parser that will use it.
class ParsedUrl {
 public:
  explicit ParsedUrl(const std::string& url) : handle_(curl_url(), &curl_url_cleanup) {
    // Without CURLU_DEFAULT_SCHEME a URL must say http:// or https://.
    ok_ = handle_ && curl_url_set(handle_.get(), CURLUPART_URL, url.c_str(), 0) == CURLUE_OK;
  }
  bool ok() const { return ok_; }
  std::string part(CURLUPart which) const {
    char* value = nullptr;
    std::string out;
    if (curl_url_get(handle_.get(), which, &value, 0) == CURLUE_OK && value != nullptr) {
      out = value;
    }
    curl_free(value);
    return out;
  }

 private:
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle_;
  bool ok_ = false;
};

}  // namespace

bool isLoopbackHost(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || common::isLoopbackAddress(host);
}

Environment processEnvironment() {
  Environment env;
  for (const char* name : {"VIGIA_SERVER", "VIGIA_TOKEN", "STATE_DIRECTORY", "HOME"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
      env[name] = value;
    }
  }
  return env;
}

std::filesystem::path defaultSpoolDir(const Environment& env) {
  if (auto it = env.find("STATE_DIRECTORY"); it != env.end()) {
    // systemd lists one directory per StateDirectory= entry, separated by colons.
    return std::filesystem::path(it->second.substr(0, it->second.find(':'))) / "spool";
  }
  const std::filesystem::path system_dir = "/var/lib/vigia/spool";
  if (writableOrCreatable(system_dir)) return system_dir;
  const auto home = env.find("HOME");
  const std::filesystem::path base = home != env.end() ? home->second : "/tmp";
  return base / ".local/state/vigia/spool";
}

common::Result<std::string> normalizeToken(std::string token, const std::string& source) {
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.empty()) return configError(source + ": the token is empty");
  if (!common::isBearerTokenText(token)) {
    return configError(source + ": the token holds a space or a character outside ASCII");
  }
  return token;
}

std::string serverHost(const std::string& url) {
  ParsedUrl parsed(url);
  if (!parsed.ok()) return {};
  std::string host = parsed.part(CURLUPART_HOST);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

common::Status checkServerUrl(const std::string& url, bool allow_insecure_http) {
  const ParsedUrl parsed(url);
  if (!parsed.ok()) {
    return configError("server: \"" + url + "\" is not a URL (expected https://HOST[:PORT])");
  }
  auto part = [&](CURLUPart which) { return parsed.part(which); };
  const std::string scheme = part(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") {
    return configError("server: only http:// and https:// URLs are supported (got " + scheme +
                       "://)");
  }
  if (!part(CURLUPART_USER).empty() || !part(CURLUPART_QUERY).empty()) {
    return configError("server: put no user name or query in the URL; use --token-file");
  }
  if (scheme == "http" && !allow_insecure_http && !isLoopbackHost(part(CURLUPART_HOST))) {
    return configError("server: plain http:// to " + part(CURLUPART_HOST) +
                       " would send reports and the token unencrypted; use https://, or set "
                       "allow_insecure_http = true in the config file");
  }
  return common::Ok{};
}

common::Result<AgentConfig> loadAgentConfig(const AgentFlags& flags, const Environment& env,
                                            bool need_server) {
  AgentConfig c;
  FileSettings file;
  if (flags.config_file) {
    auto read = readConfigFile(*flags.config_file);
    if (!read) return read.error();
    file = std::move(*read);
  }
  auto env_value = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };

  // Precedence: flags, then environment, then the file, then defaults.
  if (auto v = flags.server                ? flags.server
               : env_value("VIGIA_SERVER") ? env_value("VIGIA_SERVER")
                                           : file.server) {
    c.server = *v;
  }

  // A token given at a higher level wins over any token or token file below it.
  if (flags.token) {
    auto t = normalizeToken(*flags.token, "--token");
    if (!t) return t.error();
    c.token = *t;
  } else if (flags.token_file) {
    auto t = readTokenFile(*flags.token_file);
    if (!t) return t.error();
    c.token = *t;
  } else if (auto v = env_value("VIGIA_TOKEN")) {
    auto t = normalizeToken(*v, "VIGIA_TOKEN");
    if (!t) return t.error();
    c.token = *t;
  } else if (file.token && file.token_file) {
    return configError("config: set token or token_file, not both");
  } else if (file.token) {
    auto t = normalizeToken(*file.token, "config token");
    if (!t) return t.error();
    c.token = *t;
  } else if (file.token_file) {
    auto t = readTokenFile(*file.token_file);
    if (!t) return t.error();
    c.token = *t;
  }

  c.ca_file = flags.ca_file.value_or(file.ca_file.value_or(""));
  c.client_cert = flags.client_cert.value_or(file.client_cert.value_or(""));
  c.client_key = flags.client_key.value_or(file.client_key.value_or(""));
  if (c.client_cert.empty() != c.client_key.empty()) {
    return configError("client_cert and client_key go together (mutual TLS)");
  }
  for (const auto& path : {c.ca_file, c.client_cert, c.client_key}) {
    if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
      return configError(path.string() + ": cannot be read");
    }
  }

  if (flags.spool_dir)
    c.spool_dir = *flags.spool_dir;
  else if (file.spool_dir)
    c.spool_dir = *file.spool_dir;
  else
    c.spool_dir = defaultSpoolDir(env);
  if (file.spool_max_reports)
    c.spool_max_reports = static_cast<std::size_t>(*file.spool_max_reports);
  if (file.spool_max_bytes) c.spool_max_bytes = static_cast<std::uint64_t>(*file.spool_max_bytes);

  constexpr int kMaxSeconds = 86'400;
  if (file.interval)
    c.interval_seconds = static_cast<int>(std::min<std::int64_t>(*file.interval, kMaxSeconds + 1));
  if (file.timeout)
    c.timeout_seconds = static_cast<int>(std::min<std::int64_t>(*file.timeout, kMaxSeconds + 1));
  if (flags.interval_seconds) c.interval_seconds = *flags.interval_seconds;
  if (flags.timeout_seconds) c.timeout_seconds = *flags.timeout_seconds;
  if (c.interval_seconds < 1 || c.interval_seconds > kMaxSeconds) {
    return configError("interval: expected 1..86400 seconds");
  }
  if (c.timeout_seconds < 1 || c.timeout_seconds > 3600) {
    return configError("timeout: expected 1..3600 seconds");
  }
  c.allow_insecure_http = file.allow_insecure_http.value_or(false);
  c.redact = file.redact.value_or(true);
  c.redact_patterns = file.redact_patterns.value_or(std::vector<std::string>{});
  if (auto checked = common::CommandRedactor::make(c.redact, c.redact_patterns); !checked) {
    return configError("config: " + checked.error().message);
  }

  if (need_server) {
    if (c.server.empty()) {
      return configError("no server: give --server URL, VIGIA_SERVER, or server in the config");
    }
    if (auto st = checkServerUrl(c.server, c.allow_insecure_http); !st) return st.error();
  }
  return c;
}

}  // namespace vigia::agent
