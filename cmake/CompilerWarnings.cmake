# vigia_warnings: every target links this, so warnings are uniform. They are fatal only with
# VIGIA_WERROR (the presets and CI turn it on): a packager's or user's compiler, optimization
# level or hardening flags may raise warnings ours never did, and that must not stop a build.
add_library(vigia_warnings INTERFACE)
target_compile_options(vigia_warnings INTERFACE
  -Wall -Wextra -Wpedantic $<$<BOOL:${VIGIA_WERROR}>:-Werror>
  -Wshadow              # a local hiding a member is a classic source of wrong-field bugs
  -Wnon-virtual-dtor    # deleting through a base pointer must not leak
  -Wold-style-cast      # casts should say what they do
  -Wcast-align
  -Wunused
  -Woverloaded-virtual
  -Wconversion -Wno-sign-conversion  # narrowing of sizes/times is a real risk in collectors
  -Wdouble-promotion
  -Wformat=2
  -Wimplicit-fallthrough
  # Not -Wnull-dereference: with -O2 g++ 12 reports it inside Asio's and libstdc++'s inlined
  # code (scheduler.ipp, shared_ptr_base.h), where no null can occur; sanitizers cover us.
)

# vigia_options: non-warning flags shared by every target.
add_library(vigia_options INTERFACE)
target_compile_features(vigia_options INTERFACE cxx_std_20)
target_compile_definitions(vigia_options INTERFACE
  VIGIA_VERSION="${PROJECT_VERSION}" _FILE_OFFSET_BITS=64)
