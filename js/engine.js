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

// Each file as a literal `new URL('../dist/...', import.meta.url)`: the form
// bundlers (Vite, webpack 5, Parcel) recognise, so an app's build copies the
// engine next to its bundle and these URLs name the copies.
const PACKAGED = {
  'simd-threads': () => ({
    'bodypix-simd-threads.js': new URL('../dist/bodypix-simd-threads.js', import.meta.url),
    'bodypix-simd-threads.wasm': new URL('../dist/bodypix-simd-threads.wasm', import.meta.url),
    'bodypix-simd-threads.worker.js': new URL('../dist/bodypix-simd-threads.worker.js', import.meta.url),
  }),
  simd: () => ({
    'bodypix-simd.js': new URL('../dist/bodypix-simd.js', import.meta.url),
    'bodypix-simd.wasm': new URL('../dist/bodypix-simd.wasm', import.meta.url),
  }),
  baseline: () => ({
    'bodypix-baseline.js': new URL('../dist/bodypix-baseline.js', import.meta.url),
    'bodypix-baseline.wasm': new URL('../dist/bodypix-baseline.wasm', import.meta.url),
  }),
};

// {file name: URL} of a flavour's files, from the package or from wasmPath.
function engineFiles(flavour, wasmPath) {
  const files = PACKAGED[flavour]();
  if (wasmPath == null) return files;
  return Object.fromEntries(Object.keys(files).map((name) => [name, new URL(name, wasmPath)]));
}

async function instantiate(flavour, wasmPath) {
  const files = engineFiles(flavour, wasmPath);
  const glue = files[`bodypix-${flavour}.js`];
  const wasm = files[`bodypix-${flavour}.wasm`];
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
    return factory({ wasmBinary });
  }
  const response = await fetch(glue);
  if (!response.ok) throw new Error(`cannot fetch the engine ${glue}: HTTP ${response.status}`);
  const source = await response.text();
  // eslint-disable-next-line no-new-func
  const factory = new Function(`${source}\nreturn createBodyPixModule;`)();
  // Bundlers inline small files such as the pthread worker script as data:
  // URLs (Vite does); a Worker started from one has an opaque origin, which
  // a cross-origin isolated page's server refuses the glue to. A blob: URL of
  // the same script runs with the page's origin.
  const worker = `bodypix-${flavour}.worker.js`;
  if (files[worker]?.protocol === 'data:') {
    files[worker] = new URL(URL.createObjectURL(await (await fetch(files[worker])).blob()));
  }
  return factory({
    locateFile: (file) => (files[file] ?? new URL(file, glue)).href,
    mainScriptUrlOrBlob: glue.href,
  });
}

// Resolves once every pooled Worker has loaded the module: the module starts
// without waiting for them (PTHREAD_POOL_DELAY_LOAD), and a thread started
// before its Worker has loaded could only start once this thread returned to
// its event loop, which the engine, blocking on the thread, never does.
function workersLoaded(module) {
  const workers = module.PThread?.unusedWorkers ?? [];
  const all = Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
    const on = (type, f) => (worker.on ? worker.on(type, f) : worker.addEventListener(type, f));
    const off = (type, f) => (worker.off ? worker.off(type, f) : worker.removeEventListener(type, f));
    const settle = (error) => {
      off('message', onMessage);
      off('error', onError);
      if (error) {
        reject(new Error(`the engine's thread pool Worker failed to start: ${error.message ?? error}`));
        return;
      }
      // Loaded, a Worker would keep node alive after the caller is done; it
      // only ever works while the main thread waits on it.
      worker.unref?.();
      resolve();
    };
    // Runs after Emscripten's own listener, which sets worker.loaded.
    const onMessage = () => worker.loaded && settle();
    const onError = (e) => settle(e ?? 'error');
    on('message', onMessage);
    on('error', onError);
    if (worker.loaded) settle();
  })));
  // load() awaits it; a failure nobody waits for must not end the process.
  all.catch(() => {});
  return all;
}

// Resolves to {module, flavour, threadsReady}; one instance per flavour per
// realm. threadsReady resolves once the module may start threads.
export function loadEngine({ flavour, wasmPath } = {}) {
  const supported = supportedFlavours();
  const chosen = flavour ?? supported[0];
  if (!FLAVOURS.includes(chosen)) throw new Error(`unknown engine flavour '${chosen}': use one of ${FLAVOURS}`);
  if (!supported.includes(chosen)) {
    throw new Error(`the ${chosen} engine cannot run here (supported: ${supported.join(', ')})`);
  }
  const key = `${chosen}@${wasmPath ?? ''}`;
  if (!modules.has(key)) {
    const pending = instantiate(chosen, wasmPath).then((module) => ({
      module, flavour: chosen, threadsReady: workersLoaded(module),
    }));
    pending.catch(() => modules.delete(key));
    modules.set(key, pending);
  }
  return modules.get(key);
}
