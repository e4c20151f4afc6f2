#include "server/api/api_types.hpp"

#include <nlohmann/json.hpp>

namespace vigia::server {

ApiResponse errorResponse(unsigned status, const std::string& code, const std::string& detail) {
  nlohmann::ordered_json body = {{"error", code}, {"detail", detail}};
  // Details may quote client bytes; replace anything that is not UTF-8 rather than throw.
  return jsonResponse(status,
                      body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

ApiResponse jsonResponse(unsigned status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace vigia::server
