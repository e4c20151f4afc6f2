#include "server/storage/sinks/day_compression.hpp"

#include <zlib.h>
#include <zstd.h>

namespace vigia::server {
namespace {

// Level 3, zstd's default: a day compresses once, in the background, at ~10x the speed of
// level 19 for a few percent more bytes (bench/README.md). The window holds several reports
// of a host, whose consecutive reports differ in a few lines.
constexpr int kZstdLevel = 3;
constexpr int kGzipLevel = 6;

common::Error failed(const std::string& what) {
  return common::makeError(common::ErrorCode::kInternal, "compress: " + what);
}

}  // namespace

std::optional<DayCompression> parseDayCompression(std::string_view name) {
  if (name == "zstd") return DayCompression::kZstd;
  if (name == "gzip") return DayCompression::kGzip;
  if (name == "none") return DayCompression::kNone;
  return std::nullopt;
}

std::string_view dayCompressionName(DayCompression c) {
  switch (c) {
    case DayCompression::kZstd:
      return "zstd";
    case DayCompression::kGzip:
      return "gzip";
    case DayCompression::kNone:
      break;
  }
  return "none";
}

std::string_view daySuffix(DayCompression c) {
  switch (c) {
    case DayCompression::kZstd:
      return ".zst";
    case DayCompression::kGzip:
      return ".gz";
    case DayCompression::kNone:
      break;
  }
  return "";
}

DayCompression dayCompressionOf(std::string_view path) {
  if (path.ends_with(".zst")) return DayCompression::kZstd;
  if (path.ends_with(".gz")) return DayCompression::kGzip;
  return DayCompression::kNone;
}

struct DayCompressor::State {
  ZSTD_CCtx* zstd = nullptr;
  z_stream gzip{};
  bool gzip_ready = false;
};

DayCompressor::DayCompressor(DayCompression c) : compression_(c), state_(new State) {
  if (c == DayCompression::kZstd) {
    state_->zstd = ZSTD_createCCtx();
    if (state_->zstd != nullptr) {
      ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_compressionLevel, kZstdLevel);
      ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_checksumFlag, 1);
    }
  } else if (c == DayCompression::kGzip) {
    // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
    state_->gzip_ready =
        deflateInit2(&state_->gzip, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
}

DayCompressor::~DayCompressor() {
  if (state_->zstd != nullptr) ZSTD_freeCCtx(state_->zstd);
  if (state_->gzip_ready) deflateEnd(&state_->gzip);
  delete state_;
}

common::Status DayCompressor::add(std::string_view bytes, std::string& out) {
  if (compression_ == DayCompression::kNone) {
    out.append(bytes);
    return common::Ok{};
  }
  if (compression_ == DayCompression::kZstd) {
    if (state_->zstd == nullptr) return failed("no memory for zstd");
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      const std::size_t at = out.size();
      out.resize(at + ZSTD_CStreamOutSize());
      ZSTD_outBuffer o{out.data() + at, out.size() - at, 0};
      const std::size_t rc = ZSTD_compressStream2(state_->zstd, &o, &in, ZSTD_e_continue);
      out.resize(at + o.pos);
      if (ZSTD_isError(rc)) return failed(ZSTD_getErrorName(rc));
    }
    return common::Ok{};
  }
  if (!state_->gzip_ready) return failed("no memory for zlib");
  z_stream& z = state_->gzip;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  while (z.avail_in > 0) {
    const std::size_t at = out.size();
    out.resize(at + 65536);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = 65536;
    const int rc = deflate(&z, Z_NO_FLUSH);
    out.resize(at + 65536 - z.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return failed("deflate " + std::to_string(rc));
  }
  return common::Ok{};
}

common::Status DayCompressor::finish(std::string& out) {
  if (compression_ == DayCompression::kNone) return common::Ok{};
  if (compression_ == DayCompression::kZstd) {
    if (state_->zstd == nullptr) return failed("no memory for zstd");
    ZSTD_inBuffer in{nullptr, 0, 0};
    std::size_t remaining = 1;
    while (remaining != 0) {
      const std::size_t at = out.size();
      out.resize(at + ZSTD_CStreamOutSize());
      ZSTD_outBuffer o{out.data() + at, out.size() - at, 0};
      remaining = ZSTD_compressStream2(state_->zstd, &o, &in, ZSTD_e_end);
      out.resize(at + o.pos);
      if (ZSTD_isError(remaining)) return failed(ZSTD_getErrorName(remaining));
    }
    return common::Ok{};
  }
  if (!state_->gzip_ready) return failed("no memory for zlib");
  z_stream& z = state_->gzip;
  z.next_in = nullptr;
  z.avail_in = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const std::size_t at = out.size();
    out.resize(at + 65536);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = 65536;
    rc = deflate(&z, Z_FINISH);
    out.resize(at + 65536 - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return failed("deflate " + std::to_string(rc));
    }
  }
  return common::Ok{};
}

common::Result<std::string> compressDayFrame(DayCompression c, std::string_view bytes) {
  DayCompressor compressor(c);
  std::string out;
  if (auto st = compressor.add(bytes, out); !st) return st.error();
  if (auto st = compressor.finish(out); !st) return st.error();
  return out;
}

}  // namespace vigia::server
