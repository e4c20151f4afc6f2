#include "server/storage/sinks/jsonl_line.hpp"

#include <cstring>

namespace vigia::server {

std::string makeJsonlLine(std::string_view body, common::Timestamp received_at,
                          std::string_view source_addr) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  body.remove_suffix(1);  // the closing '}' of the top-level object
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  const bool empty_object = body == "{";

  // Room for the receipt first: reserving after copying the body moved all of it a second time.
  std::string line;
  line.reserve(body.size() + 96);
  line.append(body);
  // Raw line breaks can only be whitespace between tokens (inside strings they are escaped), so
  // blanking them keeps the JSON equal. memchr skips the usual case, a body with none, at
  // memory speed; a byte-by-byte loop took as long as the copy itself.
  for (const char line_break : {'\n', '\r'}) {
    char* const end = line.data() + line.size();
    for (char* at = line.data();
         (at = static_cast<char*>(std::memchr(at, line_break, end - at))) != nullptr;) {
      *at++ = ' ';
    }
  }
  if (!empty_object) line.push_back(',');
  // Both values are canonical (RFC 3339 UTC, inet_ntop text): no escaping needed.
  line.append("\"server\":{\"received_at\":\"")
      .append(common::formatRfc3339Utc(received_at))
      .append("\",\"source_addr\":\"")
      .append(source_addr)
      .append("\"}}\n");
  return line;
}

}  // namespace vigia::server
