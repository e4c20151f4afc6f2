#pragma once

// A real program left running while the test acts on it (signals, a server going away), its
// stdout and stderr collected in a file the test can read at any moment.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vigia::test {

class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::vector<std::string>& extra_env = {});
  ~BackgroundProcess();  // SIGKILL if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;

  // The exit code (-1 when a signal ended it), or nullopt if it is still running at `timeout`.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);

  // Everything it wrote so far, both streams.
  std::string output() const;

  // Polls until output() contains `text`; false at `timeout`.
  bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::optional<int> exit_code_;
};

}  // namespace vigia::test
