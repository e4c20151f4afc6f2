#include "server/api/csv_answer.hpp"

#include "server/storage/sinks/csv_rows.hpp"

namespace vigia::server {
namespace {

std::string cellText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    const bool plain =
        std::all_of(v.begin(), v.end(), [](const Json& e) { return !e.is_structured(); });
    if (plain) {
      std::string joined;
      for (const auto& e : v) {
        if (!joined.empty()) joined.push_back(';');
        joined += e.is_string() ? e.get<std::string>() : e.dump();
      }
      return joined;
    }
  }
  // Agents' text may hold any byte: replaced, never thrown on.
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class PagedCsv final : public BodyStream {
 public:
  PagedCsv(std::vector<std::string> keys, bool guard, CsvPager next)
      : keys_(std::move(keys)), guard_(guard), next_(std::move(next)) {}

  common::Result<bool> next(std::string& out) override {
    if (!header_done_) {
      for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (i > 0) out.push_back(',');
        appendCsvCell(keys_[i], false, out);
      }
      out.push_back('\n');
      header_done_ = true;
      return true;
    }
    auto page = next_();
    if (!page) return page.error();
    for (const auto& item : page->items) appendCsvRow(item, keys_, guard_, out);
    return page->more;
  }

 private:
  std::vector<std::string> keys_;
  bool guard_;
  CsvPager next_;
  bool header_done_ = false;
};

}  // namespace

void appendCsvRow(const Json& item, const std::vector<std::string>& keys, bool formula_guard,
                  std::string& out) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out.push_back(',');
    auto it = item.find(keys[i]);
    if (it != item.end()) appendCsvCell(cellText(*it), formula_guard, out);
  }
  out.push_back('\n');
}

ApiResponse csvAnswer(std::vector<std::string> keys, bool formula_guard, CsvPager next,
                      const std::string& filename) {
  ApiResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  r.stream = std::make_shared<PagedCsv>(std::move(keys), formula_guard, std::move(next));
  return r;
}

}  // namespace vigia::server
