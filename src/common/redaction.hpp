#pragma once

// Secrets in command lines never leave the host (docs/cli.md): before a report is spooled, the
// values that common ways of passing secrets put in a process's `command` become "***". The
// defaults cover `--password=X`, `--password X` and the like (password, passwd, pass, pwd,
// secret, token, api-key/api_key, access-key; any case, one or two dashes), the password of a
// URL's user info (scheme://user:X@host), and NAME=X where NAME ends in PASSWORD, SECRET or
// TOKEN. More patterns come from the configuration: RE2 syntax (linear-time matching, so no
// pattern can stall the agent), each capture group replaced, or the whole match when the
// pattern has none.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/report.hpp"
#include "common/result.hpp"

namespace re2 {
class RE2;
}

namespace vigia::common {

class CommandRedactor {
 public:
  inline static constexpr std::size_t kMaxExtraPatterns = 64;
  inline static constexpr std::size_t kMaxPatternBytes = 1024;

  // `enabled` false: redact() changes nothing. A bad extra pattern is an error naming it.
  static Result<CommandRedactor> make(bool enabled, const std::vector<std::string>& extra = {});

  CommandRedactor(CommandRedactor&&) noexcept;
  CommandRedactor& operator=(CommandRedactor&&) noexcept;
  ~CommandRedactor();

  std::string redact(std::string_view command) const;
  // Every process's command, kept within kMaxStringBytes (a value can grow into "***").
  void apply(Report& report) const;

 private:
  CommandRedactor() = default;
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
};

}  // namespace vigia::common
