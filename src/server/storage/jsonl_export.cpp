#include "server/storage/jsonl_export.hpp"

namespace vigia::server {

std::string makeJsonlLine(std::string_view body, common::Timestamp received_at,
                          std::string_view source_addr) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  body.remove_suffix(1);  // the closing '}' of the top-level object
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  const bool empty_object = body == "{";

  std::string line(body);
  line.reserve(body.size() + 96);
  for (char& c : line) c = (c == '\r' || c == '\n') ? ' ' : c;  // a loop the compiler vectorizes
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
