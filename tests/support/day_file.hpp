#pragma once

// A day file's content, whatever its form: plain, or a closed day compressed into zstd frames
// (.zst) or gzip members (.gz), read as zstdcat and zcat would (every frame, in order).
// Written here with libzstd and zlib directly, independent of the server's own code.

#include <filesystem>
#include <optional>
#include <string>

namespace vigia::test {

// nullopt (with `error` set) when the file cannot be read or decompressed whole.
std::optional<std::string> readDayFile(const std::filesystem::path& path,
                                       std::string* error = nullptr);

}  // namespace vigia::test
