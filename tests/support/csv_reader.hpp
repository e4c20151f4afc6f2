#pragma once

// An independent RFC 4180 reader, so tests check the server's CSV with code that is not the
// server's own writer.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vigia::test {

using CsvRow = std::vector<std::string>;

// Throws std::runtime_error on malformed input (unterminated quote, text after a closing
// quote, a last line without "\n").
inline std::vector<CsvRow> parseCsv(std::string_view text) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string cell;
  bool quoted = false, after_quote = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        cell.push_back(c);
      }
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      after_quote = false;
    } else if (c == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      after_quote = false;
    } else if (after_quote) {
      throw std::runtime_error("text after a closing quote");
    } else if (c == '"' && cell.empty()) {
      quoted = true;
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) throw std::runtime_error("unterminated quoted cell");
  if (!cell.empty() || !row.empty()) throw std::runtime_error("last line has no newline");
  return rows;
}

}  // namespace vigia::test
