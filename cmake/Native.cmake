# Native (non-Emscripten) builds exist to run our code under the sanitizers
# and libFuzzer, which wasm has no runtime for. scripts/test-native.sh
# configures one with clang:
#   cmake -S . -B <dir> -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
#     -DBODYPIX_SANITIZE=address,undefined -DBODYPIX_FUZZ=ON
#
# All sanitizers apply to our code (bodypix_options). AddressSanitizer also
# instruments XNNPACK and pthreadpool: our code hands them raw buffers, and
# only their own accesses show whether those are big enough. Their kernels
# read up to XNN_EXTRA_BYTES past the end of an input by design, so every
# input buffer must carry that slack; a report there is a bug of the caller.
# UBSan stays out of them: their intrinsics code relies on what UBSan flags
# (unaligned and type-punned loads), which is not our code to fix.

include_guard(GLOBAL)

set(BODYPIX_SANITIZE "" CACHE STRING "Native builds: -fsanitize= list for our code, e.g. address,undefined")
option(BODYPIX_FUZZ "Native builds: build the libFuzzer targets (tests/fuzz, needs clang)" OFF)

if(BODYPIX_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "BODYPIX_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

function(_bodypix_sanitize target)
  if(BODYPIX_SANITIZE STREQUAL "")
    return()
  endif()
  # A UB report must fail the run, not scroll by.
  set(flags "-fsanitize=${BODYPIX_SANITIZE}" -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(${target} INTERFACE ${flags})
  target_link_options(${target} INTERFACE ${flags})
endfunction()

if(BODYPIX_SANITIZE MATCHES "(^|,)address(,|$)")
  foreach(_lang C CXX)
    string(APPEND CMAKE_${_lang}_FLAGS " -fsanitize=address -fno-omit-frame-pointer")
  endforeach()
  string(APPEND CMAKE_EXE_LINKER_FLAGS " -fsanitize=address")
endif()

function(bodypix_sanitizer_options target)
  if(NOT BODYPIX_SANITIZE STREQUAL "")
    target_sources(${target} PRIVATE "${CMAKE_SOURCE_DIR}/cmake/native-sanitizer-options.c")
  endif()
endfunction()

# Called from CMakeLists.txt once the engine and its tests are defined.
function(bodypix_native_targets)
  _bodypix_sanitize(bodypix_options)
  if(TARGET bodypix_tests)
    bodypix_sanitizer_options(bodypix_tests)
  endif()
  if(BODYPIX_FUZZ)
    # Coverage feedback from all of our code, not just the fuzz target's file.
    target_compile_options(bodypix_options INTERFACE -fsanitize=fuzzer-no-link)
    add_subdirectory("${CMAKE_SOURCE_DIR}/tests/fuzz" "${CMAKE_BINARY_DIR}/fuzz")
  endif()
endfunction()
