#include "server/api/gzip.hpp"

#include <zlib.h>

#include <algorithm>

namespace vigia::server {

using common::ErrorCode;
using common::makeError;

namespace {

// RAII for a zlib stream: inflateEnd/deflateEnd on every path.
class InflateStream {
 public:
  InflateStream() { ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK; }  // 16: gzip wrapper only
  ~InflateStream() {
    if (ok_) inflateEnd(&z_);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;
  bool ok() const { return ok_; }
  z_stream* get() { return &z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

common::Result<std::string> gunzip(std::string_view compressed, std::size_t max_output) {
  InflateStream stream;
  if (!stream.ok()) return makeError(ErrorCode::kInternal, "zlib initialization failed");
  z_stream* z = stream.get();
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z->avail_in = static_cast<uInt>(compressed.size());

  std::string out;
  out.resize(
      std::min<std::size_t>(std::max<std::size_t>(compressed.size() * 4, 4096), max_output + 1));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z->total_out >= out.size()) {
      if (out.size() > max_output) break;
      out.resize(std::min(out.size() * 2, max_output + 1));
    }
    z->next_out = reinterpret_cast<Bytef*>(out.data() + z->total_out);
    z->avail_out = static_cast<uInt>(out.size() - z->total_out);
    rc = inflate(z, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && z->avail_in == 0 && z->avail_out != 0) {
      return makeError(ErrorCode::kInvalidArgument, "truncated gzip body");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return makeError(ErrorCode::kInvalidArgument,
                       std::string("corrupt gzip body: ") + (z->msg ? z->msg : "inflate failed"));
    }
    if (z->total_out > max_output) break;
  }
  if (z->total_out > max_output) {
    return makeError(ErrorCode::kTooLarge,
                     "decompressed body exceeds " + std::to_string(max_output) + " bytes");
  }
  if (z->avail_in != 0) return makeError(ErrorCode::kInvalidArgument, "data after the gzip stream");
  out.resize(z->total_out);
  return out;
}

std::string gzipCompress(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace vigia::server
