# cmake -DAGENT= -DPOLICY= -P: judge this machine's own report (collected now).
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND ${AGENT} check --policy ${POLICY}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "exit ${rc}\n${out}")
if(NOT (rc EQUAL 0 OR rc EQUAL 1))
  message(FATAL_ERROR "exit ${rc}: a policy or usage error\n${err}")
endif()
execute_process(COMMAND ${AGENT} check --policy ${POLICY} --json
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(JSON count ERROR_VARIABLE json_error LENGTH "${out}" items)
if(json_error OR NOT (rc EQUAL 0 OR rc EQUAL 1) OR count LESS 15)
  message(FATAL_ERROR "exit ${rc}, ${count} items ${json_error}\n${out}\n${err}")
endif()
