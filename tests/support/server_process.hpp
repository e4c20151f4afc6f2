#pragma once

// A real vigia-server for end-to-end tests: started on 127.0.0.1 port 0 with a temp data dir,
// its stderr drained in the background, its bound port read from its "listening on" line.

#include <sys/types.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigia::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ServerProcess {
 public:
  // Starts `binary` with `args` plus --listen 127.0.0.1:0 unless args has --listen, and
  // --compress none unless it has --compress or --config; waits up to 30 s for the listening
  // line. Throws if the server exits or never listens.
  ServerProcess(const std::string& binary, std::vector<std::string> args);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string logs() const;

  // Sends `signal` (0: none) and waits for exit; returns the exit code (-1 when killed by a
  // signal).
  int stop(int signal);
  bool running();

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  unsigned short port_ = 0;
  std::thread drainer_;
  mutable std::mutex logs_mutex_;
  std::string logs_;
  int exit_code_ = 0;
  bool exited_ = false;
};

// Runs a program to completion and returns its stdout (the agent's report, say).
std::string captureStdout(const std::vector<std::string>& argv);

}  // namespace vigia::test
