#include "agent/collectors/user_names.hpp"

#include <pwd.h>

#include <cstdio>
#include <vector>

namespace vigia::agent {

UserNames::UserNames(const std::filesystem::path& passwd_file) : fixed_(true) {
  FILE* f = std::fopen(passwd_file.c_str(), "re");
  if (!f) return;
  passwd pw{};
  passwd* result = nullptr;
  std::vector<char> buf(4096);
  while (fgetpwent_r(f, &pw, buf.data(), buf.size(), &result) == 0 && result) {
    cache_.emplace(pw.pw_uid, pw.pw_name);
  }
  std::fclose(f);
}

const std::string& UserNames::nameOf(uid_t uid) {
  if (auto it = cache_.find(uid); it != cache_.end()) return it->second;
  std::string name = std::to_string(uid);
  if (!fixed_) {
    passwd pw{};
    passwd* result = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result) {
      name = pw.pw_name;
    }
  }
  return cache_.emplace(uid, std::move(name)).first->second;
}

}  // namespace vigia::agent
