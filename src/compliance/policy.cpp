#include "compliance/policy.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "compliance/compiled_policy.hpp"
#include "compliance/policy_parser.hpp"

namespace vigia::compliance {
namespace {

constexpr std::array<std::string_view, 5> kSeverityNames = {"info", "low", "medium", "high",
                                                            "critical"};
constexpr std::array<std::string_view, 5> kStatusNames = {"pass", "fail", "waived",
                                                          "not_applicable", "error"};

// Hex SHA-256 of the sources' bytes, one after the other (docs/api.md, GET /api/v1/policy).
std::string digestOf(std::span<const PolicySource> sources) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
  for (const auto& s : sources) {
    if (EVP_DigestUpdate(ctx.get(), s.text.data(), s.text.size()) != 1) return {};
  }
  if (EVP_DigestFinal_ex(ctx.get(), md, &size) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 0xf];
  }
  return hex;
}

common::Result<std::string> readWholeFile(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return common::makeError(common::ErrorCode::kIo, std::strerror(errno));
  std::string text;
  char buffer[16384];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, f.get());
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  // A directory opens, then fails its first read (EISDIR).
  if (std::ferror(f.get())) return common::makeError(common::ErrorCode::kIo, std::strerror(errno));
  return text;
}

}  // namespace

std::string_view toString(Severity s) { return kSeverityNames[static_cast<std::size_t>(s)]; }

std::optional<Severity> parseSeverity(std::string_view text) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == text) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

std::string_view toString(Status s) { return kStatusNames[static_cast<std::size_t>(s)]; }

std::optional<Status> parseStatus(std::string_view text) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) return static_cast<Status>(i);
  }
  return std::nullopt;
}

std::string PolicyError::message() const {
  return file + ":" + std::to_string(line) + ": " + reason;
}

Policy::Policy(std::string name, std::string version, std::string digest,
               std::vector<RuleInfo> rules, std::shared_ptr<const Compiled> compiled)
    : name_(std::move(name)),
      version_(std::move(version)),
      digest_(std::move(digest)),
      rules_(std::move(rules)),
      compiled_(std::move(compiled)) {}

std::optional<std::size_t> Policy::ruleIndex(std::string_view id) const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].id == id) return i;
  }
  return std::nullopt;
}

std::variant<std::shared_ptr<const Policy>, PolicyError> Policy::parse(
    std::span<const PolicySource> sources) {
  auto parsed = parsePolicySources(sources);
  if (auto* error = std::get_if<PolicyError>(&parsed)) return std::move(*error);
  auto& p = std::get<ParsedPolicy>(parsed);
  return std::make_shared<const Policy>(std::move(p.name), std::move(p.version), digestOf(sources),
                                        std::move(p.rules), std::move(p.compiled));
}

std::variant<std::shared_ptr<const Policy>, PolicyError> Policy::load(
    std::span<const std::filesystem::path> files) {
  std::vector<PolicySource> sources;
  sources.reserve(files.size());
  for (const auto& path : files) {
    auto text = readWholeFile(path);
    if (!text) return PolicyError{path.string(), 0, "cannot read: " + text.error().message};
    sources.push_back(PolicySource{path.string(), std::move(*text)});
  }
  return parse(sources);
}

}  // namespace vigia::compliance
