#include "server/storage/document_codec.hpp"

#include <zlib.h>

namespace vigia::server {

std::string compressDocument(std::string_view document) {
  uLongf length = compressBound(static_cast<uLong>(document.size()));
  std::string out(length, '\0');
  // Level 1: most of the gain (the repetition is in the keys) at a fraction of the CPU.
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &length,
                           reinterpret_cast<const Bytef*>(document.data()),
                           static_cast<uLong>(document.size()), 1);
  if (rc != Z_OK) return {};  // only Z_MEM_ERROR is possible with a compressBound buffer
  out.resize(length);
  return out;
}

common::Result<std::string> decompressDocument(std::string_view blob, std::size_t size) {
  std::string out(size, '\0');
  uLongf length = static_cast<uLongf>(size);
  const int rc =
      uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                 reinterpret_cast<const Bytef*>(blob.data()), static_cast<uLong>(blob.size()));
  if (rc != Z_OK || length != size) {
    return common::makeError(common::ErrorCode::kInternal,
                             "stored document is damaged (zlib " + std::to_string(rc) + ")");
  }
  return out;
}

}  // namespace vigia::server
