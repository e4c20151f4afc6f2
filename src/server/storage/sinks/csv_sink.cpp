#include "server/storage/sinks/csv_rows.hpp"
#include "server/storage/sinks/file_sink.hpp"

namespace vigia::server {
namespace {

class CsvSink final : public FileSink {
 public:
  explicit CsvSink(bool formula_guard) : formula_guard_(formula_guard) {}

  std::string_view directory() const override { return "csv"; }
  std::string_view extension() const override { return ".csv"; }
  std::string_view header() const override { return kCsvHeader; }

  std::string render(const RenderInput& report) const override {
    std::string rows;
    rows.reserve(report.line.size());  // the rows are a little smaller than the JSON
    appendCsvRows(report.validated.report, formula_guard_, rows);
    return rows;
  }

  common::Status renderStored(std::string_view document, std::string& out) const override {
    auto stored = common::parseAndValidate(document, {.allow_server_receipt = true});
    if (!stored) {
      return common::makeError(common::ErrorCode::kInternal,
                               "stored document invalid: " + stored.error().message);
    }
    appendCsvRows(stored->report, formula_guard_, out);
    return common::Ok{};
  }

 private:
  bool formula_guard_;
};

}  // namespace

std::unique_ptr<FileSink> makeCsvSink(bool formula_guard) {
  return std::make_unique<CsvSink>(formula_guard);
}

}  // namespace vigia::server
