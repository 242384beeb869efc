# cmake -DCHAOSRUN=<binary> -DWHAT=<arguments> -DOUT=<file> -P generate.cmake: runs the binary and
# writes what it prints to OUT (through a temporary file, so a failure leaves no half file).
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
separate_arguments(args UNIX_COMMAND "${WHAT}")
execute_process(COMMAND ${CHAOSRUN} ${args} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${CHAOSRUN} ${WHAT} failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
