// Node 18+ has a global fetch(), and Emscripten 3.1.6's loader then tries to
// fetch() the .wasm by its file path, which fails in node ("Failed to parse
// URL"). This declaration lives inside the MODULARIZE factory, so it hides
// fetch from the loader only: in node the .wasm is then read with fs, and
// browsers and Workers keep the real fetch.
var fetch = (typeof process === 'object' && typeof process.versions === 'object' &&
             typeof process.versions.node === 'string')
  ? undefined
  : (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
