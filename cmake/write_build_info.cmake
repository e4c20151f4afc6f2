# Run at every build (cmake -P), not at configure time, so --version names the commit the
# binary was really built from. configure_file leaves the header untouched when nothing
# changed, so an unchanged commit recompiles nothing.
# In: VIGIA_VERSION, SOURCE_DIR, TEMPLATE, OUTPUT, VIGIA_COMMIT (a packager's override).
set(VIGIA_COMMIT_FOUND "${VIGIA_COMMIT}")
if(NOT VIGIA_COMMIT_FOUND)
  find_program(GIT git)
  if(GIT)
    # Only this project's own repository counts: a tree unpacked inside another checkout
    # (a package build under build/) must not take that checkout's commit.
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --show-toplevel
      OUTPUT_VARIABLE top OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE top_rc ERROR_QUIET)
    if(top_rc EQUAL 0 AND EXISTS "${top}" AND EXISTS "${SOURCE_DIR}")
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${SOURCE_DIR}" src)
    endif()
    if(top_rc EQUAL 0 AND top STREQUAL src)
      execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --short=7 HEAD
        OUTPUT_VARIABLE VIGIA_COMMIT_FOUND OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} diff --quiet HEAD --
        RESULT_VARIABLE dirty ERROR_QUIET)
      if(VIGIA_COMMIT_FOUND AND NOT dirty EQUAL 0)
        string(APPEND VIGIA_COMMIT_FOUND "-dirty")
      endif()
    endif()
  endif()
endif()
if(NOT VIGIA_COMMIT_FOUND)
  # A tree made by `git archive` carries its commit here (.gitattributes: export-subst).
  file(READ "${SOURCE_DIR}/cmake/commit.txt" archived)
  string(STRIP "${archived}" archived)
  if(archived MATCHES "^[0-9a-f]+$")
    set(VIGIA_COMMIT_FOUND "${archived}")
  endif()
endif()
if(NOT VIGIA_COMMIT_FOUND)
  set(VIGIA_COMMIT_FOUND unknown)
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
