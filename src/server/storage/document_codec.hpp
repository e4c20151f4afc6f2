#pragma once

// The report document kept in the database (reports.document_z) is zlib-compressed: JSON with
// the same keys in every process compresses ~8×, and the document is otherwise the largest
// thing the writer puts through the WAL (written twice: WAL, then checkpoint). Compression
// runs on the I/O threads (ReportStore::submit), not on the writer.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

std::string compressDocument(std::string_view document);

// `size` is the original length, stored beside the blob (reports.document_bytes).
common::Result<std::string> decompressDocument(std::string_view blob, std::size_t size);

}  // namespace vigia::server
