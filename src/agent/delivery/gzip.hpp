#pragma once

// gzip for request bodies: a 300-process report shrinks about six-fold, which is what a fleet's
// uplink and the server's socket buffers see.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::agent {

common::Result<std::string> gzipCompress(std::string_view data);

}  // namespace vigia::agent
