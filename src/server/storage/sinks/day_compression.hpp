#pragma once

// Closed days are compressed (docs/storage.md): <IP>_<date>.csv becomes .csv.zst (or .csv.gz). A
// day file is a sequence of zstd frames (gzip members); zstdcat and zcat read them as one stream,
// so a report arriving after its day was compressed is simply one more frame at the end.

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

enum class DayCompression { kNone, kZstd, kGzip };

// "zstd", "gzip", "none".
std::optional<DayCompression> parseDayCompression(std::string_view name);
std::string_view dayCompressionName(DayCompression c);
// "", ".zst", ".gz": what a compressed day adds to the plain file's name.
std::string_view daySuffix(DayCompression c);
// By the file's name.
DayCompression dayCompressionOf(std::string_view path);

// `bytes` as one zstd frame (with its content checksum) or one gzip member.
common::Result<std::string> compressDayFrame(DayCompression c, std::string_view bytes);

// Incremental compression of a whole day into one frame (member), fed in pieces: a day of a
// busy host is hundreds of MB and is never held in memory at once.
class DayCompressor {
 public:
  explicit DayCompressor(DayCompression c);
  ~DayCompressor();
  DayCompressor(const DayCompressor&) = delete;
  DayCompressor& operator=(const DayCompressor&) = delete;

  // Appends the compressed bytes so far to `out`.
  common::Status add(std::string_view bytes, std::string& out);
  common::Status finish(std::string& out);

 private:
  struct State;
  DayCompression compression_;
  State* state_;
};

}  // namespace vigia::server
