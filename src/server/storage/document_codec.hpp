#pragma once

// The report document kept in the database (reports.document_z) is compressed: JSON with the
// same keys in every process shrinks ~18× with zstd, and the document is otherwise the largest
// thing the writer puts through the WAL (written twice: WAL, then checkpoint). Compression
// runs on the I/O threads (ReportStore::submit), not on the writer.
//
// New documents are zstd frames, most of them relative to the document before them
// (reports.document_base_id; see document_chain.hpp). Databases written before 2026-11-30 hold zlib
// streams; the two are told apart by their first bytes (a zstd frame starts with its magic number,
// a zlib stream with 0x78), so old rows stay readable without a migration.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

// With a `prefix` (the host's previous document), the frame holds only what differs from it:
// consecutive reports of a host share almost every byte, so ~3.7 KB instead of ~9.4 KB for a
// 300-process report, for the same CPU (bench/README.md). Such a frame can only be read with
// the same prefix (its checksum fails otherwise).
std::string compressDocument(std::string_view document, std::string_view prefix = {});

// `size` is the original length, stored beside the blob (reports.document_bytes).
common::Result<std::string> decompressDocument(std::string_view blob, std::size_t size,
                                               std::string_view prefix = {});

}  // namespace vigia::server
