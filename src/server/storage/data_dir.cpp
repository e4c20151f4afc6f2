#include "server/storage/data_dir.hpp"

#include <sys/stat.h>

namespace vigia::server {

common::Status createDataDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return common::Ok{};
  if (!dir.parent_path().empty() && dir.parent_path() != dir) {
    std::filesystem::create_directories(dir.parent_path(), ec);
  }
  if (!ec) std::filesystem::create_directory(dir, ec);
  if (!ec) std::filesystem::permissions(dir, kDataDirMode, ec);
  if (ec) {
    return common::makeError(common::ErrorCode::kUnavailable,
                             "create " + dir.string() + ": " + ec.message());
  }
  return common::Ok{};
}

std::vector<Exposed> worldReadable(const std::filesystem::path& data_dir, std::size_t max) {
  std::vector<Exposed> out;
  auto check = [&](const std::filesystem::path& p, const std::string& shown) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0 && out.size() < max) {
      out.push_back({shown, static_cast<unsigned>(st.st_mode & 07777)});
    }
  };
  check(data_dir, ".");
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(data_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator() && out.size() < max;
       it.increment(ec)) {
    check(it->path(), std::filesystem::relative(it->path(), data_dir, ec).string());
  }
  return out;
}

}  // namespace vigia::server
