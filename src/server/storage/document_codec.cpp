#include "server/storage/document_codec.hpp"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace vigia::server {
namespace {

// Level 1: measured on the 300-process report (71 KB), 47 µs and 3.9 KB, where zlib's
// fastest level took 287 µs for 6.2 KB (bench/README.md).
constexpr int kZstdLevel = 1;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread, reused: creating one allocates its tables anew for every report.
// Frames carry a checksum of the content, so damage on disk is an error, never another text.
ZSTD_CCtx* compressionContext() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> context([] {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    if (c != nullptr &&
        (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kZstdLevel)) ||
         ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)))) {
      ZSTD_freeCCtx(c);
      c = nullptr;
    }
    return c;
  }());
  return context.get();
}

ZSTD_DCtx* decompressionContext() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> context(ZSTD_createDCtx());
  return context.get();
}

bool isZstdFrame(std::string_view blob) {
  constexpr std::string_view kMagic("\x28\xB5\x2F\xFD", 4);  // ZSTD_MAGICNUMBER, little-endian
  return blob.starts_with(kMagic);
}

common::Error damaged(const std::string& why) {
  return common::makeError(common::ErrorCode::kInternal,
                           "stored document is damaged (" + why + ")");
}

common::Result<std::string> inflateZlib(std::string_view blob, std::size_t size) {
  std::string out(size, '\0');
  uLongf length = static_cast<uLongf>(size);
  const int rc =
      uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                 reinterpret_cast<const Bytef*>(blob.data()), static_cast<uLong>(blob.size()));
  if (rc != Z_OK || length != size) return damaged("zlib " + std::to_string(rc));
  return out;
}

}  // namespace

std::string compressDocument(std::string_view document, std::string_view prefix) {
  ZSTD_CCtx* context = compressionContext();
  if (context == nullptr) return {};
  // A prefix holds for one frame only; none (an empty one) resets it.
  if (ZSTD_isError(ZSTD_CCtx_refPrefix(context, prefix.data(), prefix.size()))) return {};
  // Compressed into a per-thread scratch buffer, then copied out at its real size: a result
  // sized by compressBound would keep ~71 KB of capacity for a 4 KB frame in every queued
  // report (up to max_queued_reports of them).
  thread_local std::string scratch;
  scratch.resize(ZSTD_compressBound(document.size()));
  const std::size_t length =
      ZSTD_compress2(context, scratch.data(), scratch.size(), document.data(), document.size());
  if (ZSTD_isError(length)) return {};  // only allocation failure, with a compressBound buffer
  return scratch.substr(0, length);
}

common::Result<std::string> decompressDocument(std::string_view blob, std::size_t size,
                                               std::string_view prefix) {
  if (!isZstdFrame(blob)) return inflateZlib(blob, size);
  ZSTD_DCtx* context = decompressionContext();
  if (context == nullptr) return damaged("no memory for zstd");
  if (ZSTD_isError(ZSTD_DCtx_refPrefix(context, prefix.data(), prefix.size()))) {
    return damaged("zstd: cannot use its base document");
  }
  std::string out(size, '\0');
  const std::size_t length =
      ZSTD_decompressDCtx(context, out.data(), out.size(), blob.data(), blob.size());
  if (ZSTD_isError(length)) return damaged(std::string("zstd: ") + ZSTD_getErrorName(length));
  if (length != size)
    return damaged("zstd: " + std::to_string(length) + " bytes, not " + std::to_string(size));
  return out;
}

}  // namespace vigia::server
