#include "server/storage/sinks/file_sink.hpp"

namespace vigia::server {
namespace {

class JsonlSink final : public FileSink {
 public:
  std::string_view directory() const override { return "json"; }
  std::string_view extension() const override { return ".jsonl"; }
  std::string_view header() const override { return {}; }

  std::string render(const RenderInput& report) const override { return std::string(report.line); }

  // The stored document is the line itself.
  common::Status renderStored(std::string_view document, std::string& out) const override {
    out.append(document).push_back('\n');
    return common::Ok{};
  }
};

}  // namespace

std::unique_ptr<FileSink> makeJsonlSink() { return std::make_unique<JsonlSink>(); }

}  // namespace vigia::server
