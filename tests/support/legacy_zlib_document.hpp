#pragma once

// A report document compressed the way databases written before 2026-11-30 stored it
// (reports.document_z as a zlib stream, level 1), for tests of reading those databases.

#include <zlib.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace vigia::test {

inline std::string legacyZlibDocument(std::string_view text) {
  uLongf length = compressBound(static_cast<uLong>(text.size()));
  std::string out(length, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &length,
                reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
                1) != Z_OK) {
    throw std::runtime_error("zlib compress2 failed");
  }
  out.resize(length);
  return out;
}

}  // namespace vigia::test
