#pragma once

// A file store of docs/storage.md: one file per server and UTC day under a directory of the data
// dir (csv/, json/). A sink only renders: what a report adds to its day's file, and the same again
// from a stored document when a file is rebuilt. Appending, fsync, the export checkpoint and
// recovery are the same for every sink (report_writer.cpp, file_recovery.cpp).
//
// The sinks in use are an explicit list (makeFileSinks), in a fixed order: the writer keeps
// each report's renderings in that order.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time_util.hpp"
#include "common/validate.hpp"

namespace vigia::server {

// What a sink may read of a report being stored.
struct RenderInput {
  const common::ValidatedReport& validated;
  // The report as stored: its JSON Lines line of docs/storage.md (the body as received with the
  // server's receipt), ending with "\n". The database keeps it without the line break.
  std::string_view line;
};

class FileSink {
 public:
  virtual ~FileSink() = default;

  // "csv" or "json": the directory under the data dir, and the first part of every path the
  // export checkpoint records for this sink.
  virtual std::string_view directory() const = 0;
  // ".csv", ".jsonl": the plain file's extension (a compressed day adds ".zst" or ".gz").
  virtual std::string_view extension() const = 0;
  // Written once at the start of every file ("" for none).
  virtual std::string_view header() const = 0;

  // The bytes `report` adds to its day's file. Runs on the submitting (I/O) thread.
  virtual std::string render(const RenderInput& report) const = 0;
  // The same bytes from a document the database stored (the JSON Lines line of docs/storage.md
  // without its line break), to rebuild a file.
  virtual common::Status renderStored(std::string_view document, std::string& out) const = 0;
};

struct FileSinkOptions {
  bool csv = true;
  bool jsonl = true;
  bool csv_formula_guard = true;
};

std::unique_ptr<FileSink> makeCsvSink(bool formula_guard);
std::unique_ptr<FileSink> makeJsonlSink();

// The enabled sinks, CSV first.
std::vector<std::unique_ptr<FileSink>> makeFileSinks(const FileSinkOptions& options);

}  // namespace vigia::server
