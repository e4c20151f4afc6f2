#include "agent_fixture.hpp"

#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace vigia::test {

namespace fs = std::filesystem;

unsigned short unusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::vector<std::string> storedIds(const fs::path& data_dir) {
  std::vector<std::string> ids;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((data_dir / "vigia.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT uuid FROM reports ORDER BY id", -1, &stmt, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return ids;
}

std::vector<std::string> spooledIds(const fs::path& spool) {
  std::vector<fs::path> files;
  if (!fs::exists(spool)) return {};
  for (const auto& e : fs::directory_iterator(spool)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> ids;
  for (const auto& f : files) {
    const std::string stem = f.stem().string();
    ids.push_back(stem.substr(stem.find('-') + 1));
  }
  return ids;
}

std::string spoolReport(const fs::path& spool, int order, const nlohmann::json& report) {
  fs::create_directories(spool);
  char name[64];
  std::snprintf(name, sizeof name, "%020d-", order);
  const std::string id = report["report_id"];
  std::ofstream(spool / (name + id + ".json")) << report.dump();
  return id;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace vigia::test
