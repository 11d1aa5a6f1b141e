// Every engine flavour throws C++ exceptions as native Wasm exceptions: no
// call leaves Wasm through a JS invoke_* trampoline, which is what
// Emscripten's JS-based exceptions cost on every call that may throw.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import test from 'node:test';
import { TEST_FLAVOURS } from '../support/flavours.mjs';

// The import section's names, read straight from the bytes: compiling a
// relaxed-SIMD module would need a runtime that runs it.
function importNames(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const name = () => {
    const length = leb();
    at += length;
    return new TextDecoder().decode(bytes.subarray(at - length, at));
  };
  const limits = () => {
    const flags = bytes[at++];
    leb();
    if (flags & 1) leb();
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id !== 2) {
      at += size;
      continue;
    }
    const names = [];
    for (let n = leb(); n > 0; n--) {
      const module = name();
      const field = name();
      const kind = bytes[at++];
      if (kind === 0) leb();
      else if (kind === 1) { at++; limits(); }
      else if (kind === 2) limits();
      else if (kind === 3) at += 2;
      else if (kind === 4) { at++; leb(); }
      else throw new Error(`import ${module}.${field} has unknown kind ${kind}`);
      names.push(`${module}.${field}`);
    }
    return names;
  }
  return [];
}

// {import field: the JS function the glue binds to it}. Release builds
// shorten the fields ("a", "Fb"); the glue's import object names the real
// functions.
function gluedImports(glue) {
  const object = /\b(?:wasmImports|asmLibraryArg)\s*=\s*\{([^}]*)\}/.exec(glue);
  assert.ok(object, "the glue's import object was not found");
  return new Map([...object[1].matchAll(/"?([\w$]+)"?\s*:\s*([\w$.]+)/g)].map((m) => [m[1], m[2]]));
}

for (const flavour of TEST_FLAVOURS) {
  test(`the ${flavour} engine imports no invoke_* trampoline`, async () => {
    const file = (ext) => readFile(new URL(`../../dist/bodypix-${flavour}.${ext}`, import.meta.url));
    const fields = importNames(new Uint8Array(await file('wasm'))).map((name) => name.split('.')[1]);
    const bound = gluedImports((await file('mjs')).toString());
    const functions = fields.map((field) => bound.get(field));
    assert.ok(fields.length > 10, `only ${fields.length} imports read`);
    assert.deepEqual(fields.filter((field) => !bound.has(field)), [], 'every import is bound by the glue');
    assert.deepEqual(functions.filter((f) => /^invoke_/.test(f)), []);
  });
}
