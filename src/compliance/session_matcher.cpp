#include "compliance/session_matcher.hpp"

namespace vigia::compliance {

bool SessionMatcher::matches(const common::Session& s) const {
  if (user && !user->contains(s.user)) return false;
  if (user_not && user_not->contains(s.user)) return false;
  const bool is_remote = s.remote_host && !s.remote_host->empty();
  if (remote && *remote != is_remote) return false;
  if (remote_host_not_in && (!is_remote || remote_host_not_in->matches(*s.remote_host))) {
    return false;
  }
  if (tty_regex && !tty_regex->matches(s.tty)) return false;
  return true;
}

}  // namespace vigia::compliance
