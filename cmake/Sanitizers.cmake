# ASan + UBSan for the CI sanitizer run; linked through vigia_options so it reaches every target.
if(VIGIA_SANITIZE)
  target_compile_options(vigia_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(vigia_options INTERFACE -fsanitize=address,undefined)
endif()
