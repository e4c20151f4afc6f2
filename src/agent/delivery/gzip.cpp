#include "agent/delivery/gzip.hpp"

#include <zlib.h>

namespace vigia::agent {

common::Result<std::string> gzipCompress(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip wrapper, which is what Content-Encoding: gzip means.
  // Level 1: the agent's CPU is the fleet's CPU, and level 6 saves only a few percent more here.
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return common::makeError(common::ErrorCode::kInternal, "gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return common::makeError(common::ErrorCode::kInternal, "gzip: deflate did not finish");
  }
  return out;
}

}  // namespace vigia::agent
