# cmake -DGLUE=<dir>/bodypix-<flavour>.mjs -P PthreadWorkerUrl.cmake
#
# Emscripten's ES module glue starts each pthread Worker from
# new URL("<its own file name>", import.meta.url). A bundler that renames the
# file as it copies it (Vite adds a content hash) leaves that name pointing
# at nothing. The Worker runs the glue itself, so the glue's own URL is right
# under any name. The glue first takes the Workers its caller started before
# importing it (Module.pthreadWorkers, js/engine.js startPoolWorkers). Exactly
# one occurrence, or the build stops: a new Emscripten that words it
# differently must be looked at, not guessed.
get_filename_component(name "${GLUE}" NAME)
file(READ "${GLUE}" text)
set(anchor "new Worker(new URL(\"${name}\",import.meta.url)")
string(FIND "${text}" "${anchor}" first)
string(FIND "${text}" "${anchor}" last REVERSE)
if(first EQUAL -1 OR NOT first EQUAL last)
  message(FATAL_ERROR "bodypix: expected one '${anchor}' in ${GLUE}")
endif()
string(REPLACE "${anchor}" "Module[\"pthreadWorkers\"]?.shift()??new Worker(new URL(import.meta.url)" text "${text}")
file(WRITE "${GLUE}" "${text}")
