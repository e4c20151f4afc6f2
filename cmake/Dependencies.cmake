# Every dependency comes from a Debian 12 package (see scripts/install-deps.sh).
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

if(VIGIA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
