#include "agent/config/agent_config.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "agent/config/agent_options.hpp"
#include "common/identifiers.hpp"
#include "common/redaction.hpp"

namespace vigia::agent {
namespace {

// Every configuration error is the option table's kind of error.
constexpr auto configError = options::optionError;

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
  std::vector<std::string> names{"STATE_DIRECTORY", "HOME"};
  for (const auto& row : agentOptions().rows()) {
    if (!row.env.empty()) names.emplace_back(row.env);
  }
  for (const auto& name : names) {
    if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') {
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

common::Result<AgentConfig> loadAgentConfigAsWritten(const AgentFlags& flags,
                                                     const Environment& env, bool need_server) {
  std::vector<options::Source> sources;
  std::optional<std::filesystem::path> file;
  if (flags.config_file) file = *flags.config_file;
  const auto& table = agentOptions();
  auto loaded = table.load(file, env, flags.given, &sources);
  if (!loaded) return loaded.error();
  AgentConfig c = std::move(*loaded);

  // A token given at a higher level wins over any token or token file below it.
  // An empty value, as --print-config writes an unset one, sets nothing.
  const auto token_from =
      c.token.empty() ? options::Source::kDefault : sources[table.indexOf("token")];
  const auto file_from =
      c.token_file.empty() ? options::Source::kDefault : sources[table.indexOf("token_file")];
  if (token_from != options::Source::kDefault && token_from == file_from) {
    return configError("config: set token or token_file, not both");
  }
  if (token_from > file_from) c.token_file.clear();
  if (file_from > token_from) c.token.clear();

  if (!c.host_root.empty() && !std::filesystem::is_directory(c.host_root / "proc")) {
    return configError("host_root: " + c.host_root.string() +
                       "/proc is not a directory (mount the host's / there, read-only)");
  }
  if (c.client_cert.empty() != c.client_key.empty()) {
    return configError("client_cert and client_key go together (mutual TLS)");
  }
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

common::Result<AgentConfig> loadAgentConfig(const AgentFlags& flags, const Environment& env,
                                            bool need_server) {
  auto loaded = loadAgentConfigAsWritten(flags, env, need_server);
  if (!loaded) return loaded.error();
  AgentConfig c = std::move(*loaded);
  if (!c.token.empty()) {
    auto t = normalizeToken(c.token, "token");
    if (!t) return t.error();
    c.token = *t;
  } else if (!c.token_file.empty()) {
    auto t = readTokenFile(c.token_file.string());
    if (!t) return t.error();
    c.token = *t;
  }
  for (const auto& path : {c.ca_file, c.client_cert, c.client_key}) {
    if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
      return configError(path.string() + ": cannot be read");
    }
  }
  if (c.spool_dir.empty()) c.spool_dir = defaultSpoolDir(env);
  return c;
}

}  // namespace vigia::agent
