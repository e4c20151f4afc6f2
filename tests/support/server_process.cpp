#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>

#include "subprocess.hpp"

extern char** environ;

namespace vigia::test {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("vigia-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args) {
  bool has_listen = false, has_files_settings = false;
  for (const auto& a : args) {
    has_listen = has_listen || a == "--listen";
    has_files_settings = has_files_settings || a == "--compress" || a == "--config";
  }
  if (!has_listen) {
    args.push_back("--listen");
    args.push_back("127.0.0.1:0");
  }
  // Most tests post reports of past days, and read the day files while the server runs: with
  // compression on, a day could be switching under them. Compression has its own tests.
  if (!has_files_settings) {
    args.push_back("--compress");
    args.push_back("none");
  }
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> argv{binary};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    throw std::runtime_error("cannot start " + binary);
  }
  stderr_fd_ = err_pipe[0];

  // Read stderr until the listening line appears (or the server dies, or 30 s pass).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // "listening on http://…" or, with TLS, "listening on https://…".
  const std::string marker = "listening on http";
  char buf[4096];
  while (port_ == 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("server did not listen in time: " + logs_);
    pollfd p{stderr_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("server exited before listening: " + logs_);
    logs_.append(buf, static_cast<std::size_t>(n));
    // "listening on http://127.0.0.1:41234" or "…//0.0.0.0:41234": the port follows the
    // last ':' of the address.
    if (const auto at = logs_.find(marker); at != std::string::npos) {
      const auto eol = logs_.find('\n', at);
      if (eol == std::string::npos) continue;
      const std::string address = logs_.substr(at, eol - at);
      port_ = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
    }
  }
  drainer_ = std::thread([this] {
    char b[4096];
    ssize_t n;
    while ((n = ::read(stderr_fd_, b, sizeof b)) > 0) {
      std::lock_guard lock(logs_mutex_);
      logs_.append(b, static_cast<std::size_t>(n));
    }
  });
}

ServerProcess::~ServerProcess() {
  if (!exited_) stop(SIGKILL);
  if (drainer_.joinable()) drainer_.join();
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

std::string ServerProcess::logs() const {
  std::lock_guard lock(logs_mutex_);
  return logs_;
}

bool ServerProcess::running() {
  if (exited_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  return true;
}

int ServerProcess::stop(int signal) {
  if (exited_) return exit_code_;
  if (signal != 0) ::kill(pid_, signal);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exited_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (drainer_.joinable()) drainer_.join();
  return exit_code_;
}

std::string captureStdout(const std::vector<std::string>& argv) {
  auto r = runProcess(argv);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  return r.out;
}

}  // namespace vigia::test
