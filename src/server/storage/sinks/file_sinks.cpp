#include "server/storage/sinks/file_sink.hpp"

namespace vigia::server {

std::vector<std::unique_ptr<FileSink>> makeFileSinks(const FileSinkOptions& options) {
  std::vector<std::unique_ptr<FileSink>> sinks;
  if (options.csv) sinks.push_back(makeCsvSink(options.csv_formula_guard));
  if (options.jsonl) sinks.push_back(makeJsonlSink());
  return sinks;
}

}  // namespace vigia::server
