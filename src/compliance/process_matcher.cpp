#include "compliance/process_matcher.hpp"

namespace vigia::compliance {

bool ProcessMatcher::matches(std::size_t i, const ReportIndex& index) const {
  const common::Process& p = index.report().processes[i];
  if (uid && p.uid != uid) return false;
  if (name && !name->contains(p.name, index.nameHash(i))) return false;
  if (user && !user->contains(p.user, index.userHash(i))) return false;
  if (user_not && user_not->contains(p.user, index.userHash(i))) return false;
  if (command_contains && (!p.command || p.command->find(*command_contains) == std::string::npos)) {
    return false;
  }
  if (parent_name) {
    const auto parent = index.parentOf(i);
    if (!parent) return false;
    const auto& parent_process = index.report().processes[*parent];
    if (!parent_name->contains(parent_process.name, index.nameHash(*parent))) return false;
  }
  if (name_regex && !name_regex->matches(p.name)) return false;
  if (command_regex && (!p.command || !command_regex->matches(*p.command))) return false;
  return true;
}

}  // namespace vigia::compliance
