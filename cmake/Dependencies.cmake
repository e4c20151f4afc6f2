# Every dependency comes from a Debian 12 package (see scripts/install-deps.sh).
find_package(nlohmann_json 3.11 REQUIRED)
find_package(simdjson 3 REQUIRED)   # parsing on the server's hot path
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# The stored report documents (reports.document_z): 6x faster than zlib at a smaller size.
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd>=1.5)
# The 64-bit identity of a run's entry the storage writer keeps per open run (XXH3).
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash>=0.8)
# Regular expressions an operator writes (redact_patterns, policies): linear-time matching.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
find_package(Boost 1.81 REQUIRED CONFIG)   # Beast + Asio, header-only
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(OpenSSL 3 REQUIRED)  # TLS for the server (through Asio) and token digests
find_package(CURL 7.88 REQUIRED)  # the agent's HTTP client: TLS, proxies, timeouts

if(VIGIA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
