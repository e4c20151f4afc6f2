#pragma once

// uid → user name, cached: a host has a few hundred processes but a handful of users, and each
// NSS lookup may reach LDAP/sssd.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

namespace vigia::agent {

class UserNames {
 public:
  // Resolves through NSS (getpwuid_r), as ps and who do.
  UserNames() = default;
  // Resolves from a passwd(5) file only (fixtures), read with glibc's fgetpwent_r.
  explicit UserNames(const std::filesystem::path& passwd_file);

  // The user's name, or the uid in decimal when no user has it (as ps shows).
  const std::string& nameOf(uid_t uid);

 private:
  std::unordered_map<uid_t, std::string> cache_;
  bool fixed_ = false;  // true: cache_ is the whole passwd file, no NSS fallback
};

}  // namespace vigia::agent
