# XNNPACK (Nov 2024) + pthreadpool + FXdiv for Emscripten, or natively (for
# the sanitizer and fuzzing builds, see cmake/Native.cmake).
#
# XNNPACK's own CMakeLists.txt does not know Emscripten, its memory planner
# wastes space, and it links reference, fp16 and quantized kernels the
# engine never runs (half of the engine's size), so it is built from a
# patched copy of the pristine Debian source, made at configure time by the
# code below (no patch files, no edits to the pristine tree), and linked
# with the wrappers step 7 writes. The patched copy lives next to the
# pristine one in the source cache and is shared by every flavour: what
# differs per flavour is only the variables set before add_subdirectory().
#
# Inputs: BODYPIX_WASM_SIMD, BODYPIX_WASM_RELAXED_SIMD, BODYPIX_WASM_THREADS
# (BOOL), and the global CMAKE_C/CXX_FLAGS already carrying -msimd128 /
# -mrelaxed-simd / -pthread.
# Defines targets: XNNPACK, microkernels-prod, pthreadpool, fxdiv, cpuinfo.

include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/DebianSources.cmake")

# Replaces exactly one occurrence; fails loudly if the anchor is missing or
# ambiguous, so a new XNNPACK version cannot silently yield a wrong build.
function(_bodypix_replace_once var anchor replacement)
  string(FIND "${${var}}" "${anchor}" first)
  string(FIND "${${var}}" "${anchor}" last REVERSE)
  if(first EQUAL -1)
    message(FATAL_ERROR "bodypix: XNNPACK patch anchor not found:\n${anchor}")
  endif()
  if(NOT first EQUAL last)
    message(FATAL_ERROR "bodypix: XNNPACK patch anchor is not unique:\n${anchor}")
  endif()
  string(REPLACE "${anchor}" "${replacement}" patched "${${var}}")
  set(${var} "${patched}" PARENT_SCOPE)
endfunction()

# Writes a patched file into the copy, only if it changed: rewriting an
# identical file would bump its mtime and make every build re-run CMake or
# recompile it (the CMakeLists.txt is a configure dependency of all build
# dirs).
function(_bodypix_write_patched dest file text)
  set(current "")
  if(EXISTS "${dest}/${file}")
    file(READ "${dest}/${file}" current)
  endif()
  if(NOT current STREQUAL text)
    message(STATUS "bodypix: writing patched XNNPACK ${file}")
    file(WRITE "${dest}/${file}" "${text}")
  endif()
endfunction()

function(_bodypix_patched_xnnpack pristine out_dir wrap_options)
  set(dest "${pristine}-wasm")
  file(LOCK "${BODYPIX_CACHE_DIR}/sources/.lock" GUARD FUNCTION TIMEOUT 1200)
  if(NOT EXISTS "${dest}/.bodypix-copied")
    message(STATUS "bodypix: copying XNNPACK sources for patching")
    file(REMOVE_RECURSE "${dest}" "${dest}.part")
    file(COPY "${pristine}/" DESTINATION "${dest}.part"
      PATTERN ".bodypix-unpacked" EXCLUDE)
    file(RENAME "${dest}.part" "${dest}")
    file(TOUCH "${dest}/.bodypix-copied")
  endif()

  file(READ "${pristine}/CMakeLists.txt" txt)

  # 1. Emscripten is a system XNNPACK can build for.
  _bodypix_replace_once(txt
    [[ELSEIF(NOT CMAKE_SYSTEM_NAME MATCHES "^(Android|Darwin|iOS|Linux|Windows|CYGWIN|MSYS|QURT)$")]]
    [[ELSEIF(NOT CMAKE_SYSTEM_NAME MATCHES "^(Android|Darwin|iOS|Linux|Windows|CYGWIN|MSYS|QURT|Emscripten)$")]])

  # 2. Emscripten's toolchain reports CMAKE_SYSTEM_PROCESSOR "x86" unless told
  #    otherwise, which would select x86 intrinsics kernels: key on the system
  #    name instead, so no -DEMSCRIPTEN_SYSTEM_PROCESSOR is needed.
  _bodypix_replace_once(txt
    "# --- [ Determine target processor\nIF(CMAKE_OSX_ARCHITECTURES)"
    "# --- [ Determine target processor\nIF(CMAKE_SYSTEM_NAME STREQUAL \"Emscripten\")\n  SET(XNNPACK_TARGET_PROCESSOR \"wasm32\")\nELSEIF(CMAKE_OSX_ARCHITECTURES)")

  # 3. cpuinfo has no wasm port (and no Debian source); XNNPACK's wasm
  #    hardware config does not need it.
  _bodypix_replace_once(txt
    "IF(XNNPACK_TARGET_PROCESSOR MATCHES \"Hexagon\")\n  ADD_COMPILE_DEFINITIONS(\"XNN_ENABLE_CPUINFO=0\")"
    "IF(XNNPACK_TARGET_PROCESSOR MATCHES \"Hexagon\" OR XNNPACK_TARGET_PROCESSOR STREQUAL \"wasm32\")\n  ADD_COMPILE_DEFINITIONS(\"XNN_ENABLE_CPUINFO=0\")")

  # 4. The wasm kernel lists exist in cmake/gen but nothing appends them.
  #    BODYPIX_WASM_SIMD and BODYPIX_WASM_RELAXED_SIMD pick whether the SIMD
  #    and Relaxed SIMD ones are built (a baseline build must not contain a
  #    single SIMD instruction, a SIMD build no relaxed one).
  _bodypix_replace_once(txt
    "SET(ALL_MICROKERNEL_SRCS \${PROD_MICROKERNEL_SRCS} \${NON_PROD_MICROKERNEL_SRCS})"
    "IF(XNNPACK_TARGET_PROCESSOR STREQUAL \"wasm32\")
  LIST(APPEND PROD_MICROKERNEL_SRCS \${PROD_WASM_MICROKERNEL_SRCS})
  IF(BODYPIX_WASM_SIMD)
    LIST(APPEND PROD_MICROKERNEL_SRCS \${PROD_WASMSIMD_MICROKERNEL_SRCS})
  ENDIF()
  IF(BODYPIX_WASM_RELAXED_SIMD)
    LIST(APPEND PROD_MICROKERNEL_SRCS \${PROD_WASMRELAXEDSIMD_MICROKERNEL_SRCS})
  ENDIF()
ENDIF()
SET(ALL_MICROKERNEL_SRCS \${PROD_MICROKERNEL_SRCS} \${NON_PROD_MICROKERNEL_SRCS})")

  # 5. The memory planner puts a value whose lifetime overlaps one live block
  #    after that block, and never considers the space below the lowest live
  #    block: at 1049x861 MobileNetV1's first activation went above the next
  #    two, a workspace of 20.6 MB where 15.5 MB hold every value. Offset 0
  #    is offered like the gaps between blocks, where the lowest block starts
  #    at or above the value's size, so nothing live overlaps it.
  file(READ "${pristine}/src/memory-planner.c" planner)
  _bodypix_replace_once(planner
    "  if (num_mem_blocks == 1) {\n    return live_mem_blocks[0].end;\n  }"
    "  if (num_mem_blocks == 1) {\n    return live_mem_blocks[0].start >= to_alloc_size ? 0 : live_mem_blocks[0].end;\n  }")
  _bodypix_replace_once(planner
    "  return live_mem_blocks[smallest_gap_index].end;\n}"
    "  if (live_mem_blocks[0].start >= to_alloc_size && live_mem_blocks[0].start < smallest_gap_size) {\n    return 0;\n  }\n  return live_mem_blocks[smallest_gap_index].end;\n}")
  _bodypix_write_patched("${dest}" src/memory-planner.c "${planner}")

  # 6. XNNPACK falls back to reference kernels, one per elementwise operator
  #    and datatype (fp16, bf16, int8, int32...), where it has no optimised
  #    one. Every operator the engine defines has one (f32 clamp, add,
  #    minimum, maximum), yet the fallbacks were a fifth of the module's code
  #    (177 KB) for the page to download and compile. They are left out: an
  #    operator without a kernel then fails to be created, which the engine
  #    reports as an Error.
  _bodypix_replace_once(txt
    "SET(REFERENCE_SRCS\n  src/reference/unary-elementwise.cc\n  src/reference/binary-elementwise.cc)"
    "SET(REFERENCE_SRCS\n  src/reference/bodypix-no-fallback.c)")
  _bodypix_write_patched("${dest}" src/reference/bodypix-no-fallback.c
"// Written by bodypix-wasm's cmake/XNNPACK.cmake: no reference fallbacks.
#include \"xnnpack/reference-config.h\"

const struct xnn_unary_elementwise_config* xnn_init_unary_reference_config(
    enum xnn_unary_operator op, enum xnn_datatype input_datatype, enum xnn_datatype output_datatype) {
  (void) op;
  (void) input_datatype;
  (void) output_datatype;
  return NULL;
}

const struct xnn_binary_elementwise_config* xnn_init_binary_reference_config(
    enum xnn_binary_operator op, enum xnn_datatype datatype) {
  (void) op;
  (void) datatype;
  return NULL;
}
")

  _bodypix_write_patched("${dest}" CMakeLists.txt "${txt}")

  # 7. The subgraph makes each operator for whichever datatype its values
  #    have, so every fp16 and quantized variant of the convolutions and max
  #    poolings the engine defines was linked in, with its kernels and its
  #    weight packing. The engine's values are all f32: its link wraps
  #    (--wrap) those variants' creators with ones that refuse, written here
  #    from XNNPACK's own prototypes, so nothing calls the originals.
  set(unused
    xnn_create_convolution2d_nchw_f16 xnn_create_convolution2d_nchw_f32
    xnn_create_convolution2d_nhwc_f16 xnn_create_convolution2d_nhwc_qd8_f16_qc8w
    xnn_create_convolution2d_nhwc_qd8_f32_qc8w xnn_create_convolution2d_nhwc_qs8
    xnn_create_convolution2d_nhwc_qs8_qc8w xnn_create_convolution2d_nhwc_qu8
    xnn_create_max_pooling2d_nhwc_f16 xnn_create_max_pooling2d_nhwc_s8 xnn_create_max_pooling2d_nhwc_u8
    xnn_create_convert_nc_f16_qd8 xnn_create_convert_nc_f32_qd8 xnn_create_convert_nc_f32_qp8)
  file(READ "${pristine}/include/xnnpack.h" api)
  file(READ "${pristine}/src/xnnpack/internal.h" internal)
  set(stubs "// Written by bodypix-wasm's cmake/XNNPACK.cmake (step 7).\n#include \"xnnpack.h\"\n#include \"xnnpack/config.h\"\n#include \"xnnpack/internal.h\"\n")
  set(wraps "")
  foreach(name IN LISTS unused)
    string(REGEX MATCH "enum xnn_status ${name}\\([^;]*\\)" prototype "${api}")
    if(NOT prototype)
      string(REGEX MATCH "enum xnn_status ${name}\\([^;]*\\)" prototype "${internal}")
    endif()
    if(NOT prototype)
      message(FATAL_ERROR "bodypix: XNNPACK declares no ${name}")
    endif()
    string(REPLACE "${name}(" "__wrap_${name}(" prototype "${prototype}")
    string(APPEND stubs "\n${prototype} {\n  return xnn_status_unsupported_parameter;\n}\n")
    list(APPEND wraps "LINKER:--wrap=${name}")
  endforeach()
  # The elementwise operators the engine does define pick their kernels'
  # configs by datatype, so those of every fp16 and 8-bit datatype came in
  # too: their getters are wrapped with ones that find none.
  file(READ "${pristine}/src/xnnpack/config.h" configs)
  string(REGEX MATCHALL
    "const struct xnn_[a-z0-9_]+_config\\* xnn_init_(f16|bf16|qs8|qu8|qd8|qs16|s8|u8|x8|qp8|pqs8|qc4|qb4|s32)_[a-z0-9_]+_config\\(\\)"
    getters "${configs}")
  if(NOT getters)
    message(FATAL_ERROR "bodypix: XNNPACK's config.h declares no fp16 or 8-bit config getters")
  endif()
  foreach(getter IN LISTS getters)
    string(REGEX REPLACE ".* (xnn_init_[a-z0-9_]+)\\(\\)$" "\\1" name "${getter}")
    string(REPLACE "${name}()" "__wrap_${name}(void)" getter "${getter}")
    string(APPEND stubs "\n${getter} {\n  return NULL;\n}\n")
    list(APPEND wraps "LINKER:--wrap=${name}")
  endforeach()
  _bodypix_write_patched("${dest}" src/bodypix-unused-operators.c "${stubs}")
  set(${wrap_options} "${wraps}" PARENT_SCOPE)

  set(${out_dir} "${dest}" PARENT_SCOPE)
endfunction()

bodypix_debian_sources()
_bodypix_patched_xnnpack("${BODYPIX_XNNPACK_PRISTINE_DIR}" BODYPIX_XNNPACK_DIR BODYPIX_XNNPACK_WRAPS)

# ---- FXdiv: header only.
add_library(fxdiv INTERFACE)
target_include_directories(fxdiv SYSTEM INTERFACE "${BODYPIX_FXDIV_DIR}/include")

# ---- cpuinfo: XNNPACK links it unconditionally; with XNN_ENABLE_CPUINFO=0 an
# empty target is all it needs. Natively it detects the CPU's features with
# bookworm's libcpuinfo (2022); native-shim/cpuinfo.h adds the queries this
# XNNPACK makes that the 2022 version lacks.
add_library(cpuinfo INTERFACE)
if(NOT EMSCRIPTEN)
  # Not find_package(cpuinfo): Debian's CMake config points at /usr/lib/lib/.
  find_library(BODYPIX_CPUINFO_LIBRARY cpuinfo)
  find_path(BODYPIX_CPUINFO_INCLUDE cpuinfo.h)
  if(NOT BODYPIX_CPUINFO_LIBRARY OR NOT BODYPIX_CPUINFO_INCLUDE)
    message(FATAL_ERROR "libcpuinfo is missing: run scripts/setup.sh (libcpuinfo-dev)")
  endif()
  target_link_libraries(cpuinfo INTERFACE "${BODYPIX_CPUINFO_LIBRARY}")
  target_include_directories(cpuinfo BEFORE INTERFACE "${CMAKE_CURRENT_LIST_DIR}/native-shim")
endif()

# ---- pthreadpool, built here rather than by its own CMakeLists.txt: under
# Emscripten that one always builds the single-threaded shim, so -pthread
# would buy nothing.
set(_ptp "${BODYPIX_PTHREADPOOL_DIR}")
if(BODYPIX_WASM_THREADS OR NOT EMSCRIPTEN)
  add_library(pthreadpool STATIC
    "${_ptp}/src/portable-api.c"
    "${_ptp}/src/memory.c"
    "${_ptp}/src/pthreads.c")
  # _GNU_SOURCE: memory.c needs posix_memalign's declaration under C11.
  # Futex wait/wake map to emscripten_futex_* (threadpool-common.h picks
  # them for __EMSCRIPTEN__); the fast path is x86-only upstream too.
  target_compile_definitions(pthreadpool PRIVATE
    _GNU_SOURCE=1 PTHREADPOOL_USE_FASTPATH=0 PTHREADPOOL_USE_CPUINFO=0)
else()
  add_library(pthreadpool STATIC "${_ptp}/src/shim.c")
endif()
set_target_properties(pthreadpool PROPERTIES C_STANDARD 11 C_EXTENSIONS NO)
target_include_directories(pthreadpool
  PUBLIC "${_ptp}/include"
  PRIVATE "${_ptp}/src")
target_compile_definitions(pthreadpool PUBLIC PTHREADPOOL_NO_DEPRECATED_API=1)
target_link_libraries(pthreadpool PRIVATE fxdiv)
if(NOT EMSCRIPTEN)
  find_package(Threads REQUIRED)
  target_link_libraries(pthreadpool PUBLIC Threads::Threads)
endif()

# ---- XNNPACK itself. Its option()s honour plain variables (CMP0077).
set(XNNPACK_LIBRARY_TYPE static CACHE STRING "" FORCE)
set(XNNPACK_BUILD_TESTS OFF)
set(XNNPACK_BUILD_BENCHMARKS OFF)
set(XNNPACK_BUILD_ALL_MICROKERNELS OFF)
set(XNNPACK_ENABLE_ASSEMBLY OFF)
set(XNNPACK_ENABLE_KLEIDIAI OFF)
# Defaults ON and breaks src/configs/transpose-config.c on non-SIMD wasm.
set(XNNPACK_ENABLE_RISCV_VECTOR OFF)
set(XNNPACK_USE_SYSTEM_LIBS OFF)
# Their presence stops XNNPACK from trying to download the dependencies.
set(CPUINFO_SOURCE_DIR "${CMAKE_BINARY_DIR}/no-cpuinfo")
file(MAKE_DIRECTORY "${CPUINFO_SOURCE_DIR}/include")
set(FXDIV_SOURCE_DIR "${BODYPIX_FXDIV_DIR}")
set(PTHREADPOOL_SOURCE_DIR "${BODYPIX_PTHREADPOOL_DIR}")
find_package(Python COMPONENTS Interpreter REQUIRED)

add_subdirectory("${BODYPIX_XNNPACK_DIR}" "${CMAKE_BINARY_DIR}/xnnpack")
target_sources(XNNPACK PRIVATE "${BODYPIX_XNNPACK_DIR}/src/bodypix-unused-operators.c")
target_link_options(XNNPACK INTERFACE ${BODYPIX_XNNPACK_WRAPS})

# Sixteen generated wasmsimd kernels (f32-qs8/qu8-vcvt) include <arm_neon.h>
# without using it, and Debian's Emscripten ships a compat arm_neon.h whose
# SIMDe headers are missing ("'neon/types.h' file not found"). A one-line
# header that includes <wasm_simd128.h> wins because -I dirs come before the
# sysroot's.
if(BODYPIX_WASM_SIMD)
  target_include_directories(microkernels-prod BEFORE PRIVATE
    "${CMAKE_CURRENT_LIST_DIR}/wasm-shim")
endif()

# Warnings in third-party code are not ours to fix.
foreach(_t microkernels-prod XNNPACK pthreadpool)
  target_compile_options(${_t} PRIVATE -w)
endforeach()
