#include "day_file.hpp"

#include <zlib.h>
#include <zstd.h>

#include "read_file.hpp"

namespace vigia::test {
namespace {

std::optional<std::string> unzstd(const std::string& in, std::string* error) {
  std::string out;
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t last = 0;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  while (input.pos < input.size) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(d, &output, &input);
    if (ZSTD_isError(last)) {
      if (error) *error = ZSTD_getErrorName(last);
      ZSTD_freeDStream(d);
      return std::nullopt;
    }
    out.append(chunk.data(), output.pos);
  }
  ZSTD_freeDStream(d);
  if (last != 0) {  // the last frame did not end
    if (error) *error = "truncated zstd frame";
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> gunzip(const std::string& in, std::string* error) {
  std::string out;
  std::size_t at = 0;
  while (at < in.size()) {  // one gzip member after another, as zcat reads them
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + at));
    z.avail_in = static_cast<uInt>(in.size() - at);
    int rc = Z_OK;
    char chunk[65536];
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(chunk);
      z.avail_out = sizeof chunk;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(chunk, sizeof chunk - z.avail_out);
    }
    const std::size_t used = in.size() - at - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
      if (error) *error = "gzip member " + std::to_string(rc);
      return std::nullopt;
    }
    at += used;
  }
  return out;
}

}  // namespace

std::optional<std::string> readDayFile(const std::filesystem::path& path, std::string* error) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (error) *error = "no such file";
    return std::nullopt;
  }
  const std::string bytes = readWholeFile(path);
  const std::string name = path.filename().string();
  if (name.ends_with(".zst")) return unzstd(bytes, error);
  if (name.ends_with(".gz")) return gunzip(bytes, error);
  return bytes;
}

}  // namespace vigia::test
