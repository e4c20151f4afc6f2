# vigia_build_info: the generated header common/build_info.hpp (version and commit).
set(VIGIA_COMMIT "" CACHE STRING "Commit to report in --version when not built from git")
set(_build_info_dir "${PROJECT_BINARY_DIR}/generated")
add_custom_target(vigia_build_info_header
  COMMAND ${CMAKE_COMMAND}
          -DVIGIA_VERSION=${PROJECT_VERSION}
          -DVIGIA_COMMIT=${VIGIA_COMMIT}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DTEMPLATE=${PROJECT_SOURCE_DIR}/src/common/build_info.hpp.in
          -DOUTPUT=${_build_info_dir}/common/build_info.hpp
          -P ${PROJECT_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${_build_info_dir}/common/build_info.hpp
  COMMENT "Build info (version, commit)"
  VERBATIM)
add_library(vigia_build_info INTERFACE)
target_include_directories(vigia_build_info INTERFACE ${_build_info_dir})
add_dependencies(vigia_build_info vigia_build_info_header)
