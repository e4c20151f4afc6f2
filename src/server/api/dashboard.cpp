#include "server/api/dashboard.hpp"

#include <charconv>

#include "server/web/dashboard_assets.hpp"

namespace vigia::server {
namespace {

// Scripts, styles and requests from this server only; no inline script or style, no frames,
// no <base>, forms posting nowhere else. Images: the chart library draws with data: URLs.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Whether an Accept-Encoding value allows gzip: listed (or *) without q=0.
bool acceptsGzip(std::string_view header) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    const std::string_view params = item.substr(semi + 1);
    const std::size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    double weight = 1;
    std::from_chars(params.data() + q + 2, params.data() + params.size(), weight);
    return weight > 0;
  }
  return false;
}

ApiResponse assetResponse(const web::Asset& asset, const ApiRequest& request) {
  ApiResponse r;
  r.content_type = std::string(asset.content_type);
  const bool gzip = !asset.gzip.empty() && acceptsGzip(request.accept_encoding);
  r.body = std::string(gzip ? asset.gzip : asset.plain);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  // Asset names do not change with their content: the browser asks again each time, cheaply.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  return r;
}

}  // namespace

ApiResponse dashboardPage(const ApiContext&, const Call& call) {
  const web::Asset* shell = web::findAsset("index.html");
  return assetResponse(*shell, call.request);
}

ApiResponse dashboardAsset(const ApiContext&, const Call& call) {
  const std::string& name = call.params["name"];
  const web::Asset* asset = name == "index.html" ? nullptr : web::findAsset(name);
  if (asset == nullptr) {
    ApiResponse r = errorResponse(404, "not_found", "no such asset");
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    return r;
  }
  return assetResponse(*asset, call.request);
}

}  // namespace vigia::server
