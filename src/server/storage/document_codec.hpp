#pragma once

// The report document kept in the database (reports.document_z) is compressed: JSON with the
// same keys in every process shrinks ~18× with zstd, and the document is otherwise the largest
// thing the writer puts through the WAL (written twice: WAL, then checkpoint). Compression
// runs on the I/O threads (ReportStore::submit), not on the writer.
//
// New documents are zstd frames. Databases written before 2026-11-30 hold zlib streams; the
// two are told apart by their first bytes (a zstd frame starts with its magic number, a zlib
// stream with 0x78), so old rows stay readable without a migration.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

std::string compressDocument(std::string_view document);

// `size` is the original length, stored beside the blob (reports.document_bytes).
common::Result<std::string> decompressDocument(std::string_view blob, std::size_t size);

}  // namespace vigia::server
