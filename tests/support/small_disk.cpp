#include "small_disk.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace vigia::test {

SmallDisk::SmallDisk() : mount_point_(dir_.path() / "disk") {
  std::filesystem::create_directories(mount_point_);
  if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=4m") != 0) {
    why_not_ = std::string("cannot mount a tmpfs here (needs root): ") + std::strerror(errno);
    return;
  }
  mounted_ = true;
}

SmallDisk::~SmallDisk() {
  // The read-only bind mount, if any, then the tmpfs itself.
  while (mounted_ && ::umount2(mount_point_.c_str(), MNT_DETACH) == 0) {
  }
}

void SmallDisk::fill() {
  std::ofstream filler(mount_point_ / "filler", std::ios::binary);
  const std::string block(64 * 1024, 'x');
  while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
  }
}

void SmallDisk::makeRoom() { std::filesystem::remove(mount_point_ / "filler"); }

bool SmallDisk::remountReadOnly() {
  return ::mount(mount_point_.c_str(), mount_point_.c_str(), nullptr, MS_BIND, nullptr) == 0 &&
         ::mount(nullptr, mount_point_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
                 nullptr) == 0;
}

bool SmallDisk::remountWritable() {
  return ::mount(nullptr, mount_point_.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr) == 0;
}

}  // namespace vigia::test
