#pragma once

// What every GET list answer shares (queries.cpp, compliance.cpp): the error answers, the
// opaque cursor of keyset paging, and the {"items": …, "next": …} body.

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "server/api/api_types.hpp"
#include "server/api/csv_answer.hpp"
#include "server/api/query_params.hpp"
#include "server/storage/queries.hpp"

namespace vigia::server {

// The largest page of a JSON answer, and the page size of a CSV export.
inline constexpr int kMaxLimit = 1000;

ApiResponse badQuery(const common::Error& e);     // 400 invalid_query
ApiResponse unavailable(const common::Error& e);  // 503 storage_unavailable

template <typename T>
Json optionalJson(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

// A cursor is the position of the previous page's last item, "<key>.<id>": opaque to clients.
std::string cursorText(const ListCursor& c);
common::Result<std::optional<ListCursor>> cursorOf(const QueryParams& params);

// 200 {"items": […]} (with "next" when `paged`).
ApiResponse jsonItems(Json items, const std::optional<std::string>& next, bool paged);

// The keys of an item, in order: a CSV answer's header.
std::vector<std::string> keysOf(const Json& sample);

}  // namespace vigia::server
