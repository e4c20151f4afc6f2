#include "agent/runtime/log.hpp"

#include <cstdio>

namespace vigia::agent {
namespace {

void write(const char* level, std::string_view message) {
  // One fprintf per line so lines from a signal-time log never interleave mid-line.
  std::fprintf(stderr, "vigia-agent: %s%.*s\n", level, static_cast<int>(message.size()),
               message.data());
}

}  // namespace

void logInfo(std::string_view message) { write("", message); }
void logWarning(std::string_view message) { write("warning: ", message); }
void logError(std::string_view message) { write("error: ", message); }

}  // namespace vigia::agent
