#pragma once

// gzip request bodies (Content-Encoding: gzip), inflated with zlib under a hard output limit so
// a small bomb cannot become gigabytes in memory.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::server {

// kTooLarge once the output would exceed `max_output`; kInvalidArgument for corrupt data.
common::Result<std::string> gunzip(std::string_view compressed, std::size_t max_output);

// For tests and the agent-side benchmark client.
std::string gzipCompress(std::string_view data);

}  // namespace vigia::server
