# Third-party sources come from Debian trixie's source packages (the .orig
# tarballs, checked by sha256), never from the repository: apt is the only
# source registry this project may reach, and vendoring would bloat every
# checkout. The copies in $BODYPIX_SHARED/third_party are a fallback for the
# day the archive stops serving these exact versions.
#
# Layout under ${BODYPIX_CACHE_DIR}/sources (shared by all checkouts and
# flavours, since nothing in it depends on either):
#   downloads/<name>_<version>.orig.tar.xz   verified tarballs
#   <name>-<version>/                         pristine unpacked tree
#   .lock                                     serialises concurrent configures

include_guard(GLOBAL)

# name;version;sha256 -- the sha256 values are the ones recorded in
# shared/notes/toolchain.md; bump all three together.
set(BODYPIX_DEBIAN_SOURCES
  "xnnpack|0.0~git20241108.4ea82e5|90bde2caef0f880f627bab0dc805a86c4b8070cd98e3243db3046ab3f3be1a99"
  "pthreadpool|0.0~git20240616.560c60d|4cc3cbd933b28131d2a34edc54f76af9fb41bc490af5eae1a5bd3cd07ea90708"
  "fxdiv|0.0~git20200417.b408327|7953482badaf4cb34026c3487c257b8e4ab2df061c019bd6fabbbc12ad52c44b")

function(_bodypix_sha256_ok file expected out)
  set(ok FALSE)
  if(EXISTS "${file}")
    file(SHA256 "${file}" actual)
    if(actual STREQUAL expected)
      set(ok TRUE)
    endif()
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

# Makes sure every tarball in BODYPIX_DEBIAN_SOURCES is in downloads/ and
# verified. One apt-get call for all missing ones (it takes about a second).
function(_bodypix_download_tarballs downloads)
  set(missing_pkgs "")
  foreach(entry IN LISTS BODYPIX_DEBIAN_SOURCES)
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 version)
    list(GET entry 2 sha)
    set(tarball "${downloads}/${name}_${version}.orig.tar.xz")
    _bodypix_sha256_ok("${tarball}" "${sha}" ok)
    if(NOT ok)
      file(REMOVE "${tarball}")
      list(APPEND missing_pkgs "${name}/trixie")
    endif()
  endforeach()
  if(NOT missing_pkgs)
    return()
  endif()

  find_program(BODYPIX_APT_GET apt-get)
  if(BODYPIX_APT_GET)
    list(JOIN missing_pkgs " " _pkgs)
    message(STATUS "bodypix: apt-get source ${_pkgs}")
    # --tar-only: the .dsc/.debian.tar.xz of these packages are not served
    # for every suite and their 404 would make apt exit non-zero.
    execute_process(
      COMMAND "${BODYPIX_APT_GET}" source --download-only --tar-only ${missing_pkgs}
      WORKING_DIRECTORY "${downloads}"
      RESULT_VARIABLE rc
      OUTPUT_VARIABLE out
      ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(STATUS "bodypix: apt-get source failed (${rc}); will use fallback copies.\n${err}")
    endif()
  else()
    message(STATUS "bodypix: no apt-get; will use fallback copies")
  endif()

  foreach(entry IN LISTS BODYPIX_DEBIAN_SOURCES)
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 version)
    list(GET entry 2 sha)
    set(file_name "${name}_${version}.orig.tar.xz")
    set(tarball "${downloads}/${file_name}")
    _bodypix_sha256_ok("${tarball}" "${sha}" ok)
    if(ok)
      continue()
    endif()
    if(EXISTS "${tarball}")
      message(WARNING "bodypix: ${file_name} from apt has the wrong sha256; using the fallback copy")
      file(REMOVE "${tarball}")
    endif()
    set(fallback "${BODYPIX_SHARED_DIR}/third_party/${file_name}")
    _bodypix_sha256_ok("${fallback}" "${sha}" ok)
    if(NOT ok)
      message(FATAL_ERROR
        "bodypix: cannot get ${file_name} with sha256 ${sha}: apt-get source "
        "${name}/trixie failed (is the trixie deb-src entry there and "
        "`apt-get update` done? scripts/setup.sh does both) and the fallback "
        "${fallback} is missing or differs.")
    endif()
    message(STATUS "bodypix: using fallback ${fallback}")
    file(COPY_FILE "${fallback}" "${tarball}.part")
    file(RENAME "${tarball}.part" "${tarball}")
  endforeach()
endfunction()

# bodypix_debian_sources(): sets <NAME>_SOURCE_DIR-style variables in the
# caller: BODYPIX_XNNPACK_PRISTINE_DIR, BODYPIX_PTHREADPOOL_DIR,
# BODYPIX_FXDIV_DIR, and BODYPIX_XNNPACK_VERSION.
function(bodypix_debian_sources)
  set(root "${BODYPIX_CACHE_DIR}/sources")
  set(downloads "${root}/downloads")
  file(MAKE_DIRECTORY "${downloads}")
  # Two flavours (or two checkouts) configuring at once must not unpack into
  # the same folder at the same time.
  file(LOCK "${root}/.lock" GUARD FUNCTION TIMEOUT 1200)

  set(need_download FALSE)
  foreach(entry IN LISTS BODYPIX_DEBIAN_SOURCES)
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 version)
    list(GET entry 2 sha)
    set(stamp "${root}/${name}-${version}/.bodypix-unpacked")
    if(EXISTS "${stamp}")
      file(READ "${stamp}" stamped)
      if(NOT stamped STREQUAL sha)
        set(need_download TRUE)
      endif()
    else()
      set(need_download TRUE)
    endif()
  endforeach()
  if(need_download)
    _bodypix_download_tarballs("${downloads}")
  endif()

  foreach(entry IN LISTS BODYPIX_DEBIAN_SOURCES)
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 name)
    list(GET entry 1 version)
    list(GET entry 2 sha)
    set(dest "${root}/${name}-${version}")
    set(stamp "${dest}/.bodypix-unpacked")
    set(fresh FALSE)
    if(EXISTS "${stamp}")
      file(READ "${stamp}" stamped)
      if(stamped STREQUAL sha)
        set(fresh TRUE)
      endif()
    endif()
    if(NOT fresh)
      message(STATUS "bodypix: unpacking ${name} ${version}")
      set(tmp "${root}/.unpack-${name}")
      file(REMOVE_RECURSE "${tmp}" "${dest}")
      file(MAKE_DIRECTORY "${tmp}")
      file(ARCHIVE_EXTRACT INPUT "${downloads}/${name}_${version}.orig.tar.xz" DESTINATION "${tmp}")
      # xnnpack's tarball has no top-level folder, the other two have one.
      file(GLOB top LIST_DIRECTORIES TRUE "${tmp}/*")
      list(LENGTH top n)
      if(n EQUAL 1 AND IS_DIRECTORY "${top}")
        file(RENAME "${top}" "${dest}")
        file(REMOVE_RECURSE "${tmp}")
      else()
        file(RENAME "${tmp}" "${dest}")
      endif()
      file(WRITE "${stamp}" "${sha}")
    endif()
    string(TOUPPER "${name}" upper)
    if(name STREQUAL "xnnpack")
      set(BODYPIX_XNNPACK_PRISTINE_DIR "${dest}" PARENT_SCOPE)
      set(BODYPIX_XNNPACK_VERSION "${version}" PARENT_SCOPE)
    else()
      set(BODYPIX_${upper}_DIR "${dest}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()
