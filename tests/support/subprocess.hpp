#pragma once

// Runs a real binary for end-to-end tests: argv in, exit status and both outputs back.

#include <string>
#include <vector>

namespace vigia::test {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the given arguments and optional extra environment entries
// ("KEY=value"), stdin closed, and waits for it.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {});

}  // namespace vigia::test
