#pragma once

// A tmpfs of its own (4 MiB) under a temp dir: a real "disk full" and, with a read-only bind
// remount, a real read-only file system. Mounting needs root (CI runs as root); where it is
// refused, mounted() is false and the caller skips.

#include <filesystem>
#include <string>

#include "server_process.hpp"

namespace vigia::test {

class SmallDisk {
 public:
  SmallDisk();
  ~SmallDisk();  // unmounts the bind mount, if any, then the tmpfs
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& whyNot() const { return why_not_; }
  const std::filesystem::path& path() const { return mount_point_; }

  void fill();      // a file takes every free byte
  void makeRoom();  // removes it
  // Read-only while the files already open stay open; false with errno set on failure.
  bool remountReadOnly();
  bool remountWritable();

 private:
  TempDir dir_;
  std::filesystem::path mount_point_;
  bool mounted_ = false;
  std::string why_not_;
};

}  // namespace vigia::test
