// Loads one of the three Wasm builds of the engine, picked by what the
// runtime supports: SIMD + threads, SIMD only, or baseline.

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

// The smallest module that uses a SIMD instruction (i32x4.splat); validating
// it answers "does this engine run wasm SIMD?" without running anything.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export const FLAVOURS = ['simd-threads', 'simd', 'baseline'];

export function supportedFlavours() {
  const simd = WebAssembly.validate(SIMD_PROBE);
  // Browsers only share memory with workers on cross-origin isolated pages.
  const threads = typeof SharedArrayBuffer !== 'undefined' &&
    (isNode || globalThis.crossOriginIsolated === true);
  return FLAVOURS.filter((f) => (f === 'baseline') || (simd && (f === 'simd' || threads)));
}

const modules = new Map();

async function instantiate(flavour, wasmPath) {
  const base = wasmPath ?? new URL('../dist/', import.meta.url).href;
  const glue = new URL(`bodypix-${flavour}.js`, base);
  const wasm = new URL(`bodypix-${flavour}.wasm`, base);
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    let wasmBinary;
    try {
      wasmBinary = await readFile(fileURLToPath(wasm));
    } catch (e) {
      throw new Error(`the ${flavour} engine is not built (${fileURLToPath(wasm)} is missing): run npm run build`);
    }
    const factory = createRequire(import.meta.url)(fileURLToPath(glue));
    // Passing the bytes avoids Emscripten 3.1.6 trying node's fetch on a path.
    const module = await factory({ wasmBinary });
    // The pthread pool's Workers would keep node alive after the caller is
    // done; they only ever work while the main thread waits on them.
    const pthreads = module.PThread;
    if (pthreads) [...pthreads.unusedWorkers, ...pthreads.runningWorkers].forEach((w) => w.unref?.());
    return module;
  }
  const response = await fetch(glue);
  if (!response.ok) throw new Error(`cannot fetch the engine ${glue}: HTTP ${response.status}`);
  const source = await response.text();
  // eslint-disable-next-line no-new-func
  const factory = new Function(`${source}\nreturn createBodyPixModule;`)();
  return factory({
    locateFile: (file) => new URL(file, base).href,
    mainScriptUrlOrBlob: glue.href,
  });
}

// Resolves to {module, flavour}; one instance per flavour per realm.
export function loadEngine({ flavour, wasmPath } = {}) {
  const supported = supportedFlavours();
  const chosen = flavour ?? supported[0];
  if (!FLAVOURS.includes(chosen)) throw new Error(`unknown engine flavour '${chosen}': use one of ${FLAVOURS}`);
  if (!supported.includes(chosen)) {
    throw new Error(`the ${chosen} engine cannot run here (supported: ${supported.join(', ')})`);
  }
  const key = `${chosen}@${wasmPath ?? ''}`;
  if (!modules.has(key)) {
    const pending = instantiate(chosen, wasmPath).then((module) => ({ module, flavour: chosen }));
    pending.catch(() => modules.delete(key));
    modules.set(key, pending);
  }
  return modules.get(key);
}
