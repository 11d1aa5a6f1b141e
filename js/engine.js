// Loads one of the Wasm builds of the engine, picked by what the runtime
// supports: threads before Relaxed SIMD before SIMD (two threads double the
// speed; Relaxed SIMD adds 15-25 % here), else the baseline.
import { isNode } from './environment.js';

// The smallest module that uses a SIMD instruction (i8x16.splat); validating
// it answers "does this engine run wasm SIMD?" without running anything.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);
// The same for Relaxed SIMD: i8x16.relaxed_swizzle of two splats.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 0, 253, 15, 65, 0, 253, 15,
  253, 128, 2, 11,
]);

export const FLAVOURS = ['relaxed-simd-threads', 'simd-threads', 'relaxed-simd', 'simd', 'baseline'];

// Why each flavour cannot run here: null where it can.
function obstacles() {
  const simd = WebAssembly.validate(SIMD_PROBE);
  const relaxed = simd && WebAssembly.validate(RELAXED_SIMD_PROBE);
  // Browsers only share memory with workers on cross-origin isolated pages.
  const threads = typeof SharedArrayBuffer !== 'undefined' &&
    (isNode || globalThis.crossOriginIsolated === true);
  const noSimd = simd ? null : 'no Wasm SIMD';
  const noThreads = threads ? null
    : (isNode ? 'no SharedArrayBuffer' : 'threads need a cross-origin isolated page');
  const noRelaxed = relaxed ? null
    : (isNode && simd ? 'no Relaxed SIMD (node needs --experimental-wasm-relaxed-simd)' : 'no Wasm Relaxed SIMD');
  return {
    'relaxed-simd-threads': noSimd ?? noRelaxed ?? noThreads,
    'simd-threads': noSimd ?? noThreads,
    'relaxed-simd': noSimd ?? noRelaxed,
    simd: noSimd,
    baseline: null,
  };
}

export function supportedFlavours() {
  const why = obstacles();
  return FLAVOURS.filter((f) => why[f] === null);
}

// Why this runtime cannot run a flavour, or null if it can.
export function unsupportedReason(flavour) {
  const why = obstacles();
  return flavour in why ? why[flavour] : `unknown flavour ${JSON.stringify(flavour)}`;
}

const modules = new Map();

// Each file as a literal `new URL('../dist/...', import.meta.url)`: the form
// bundlers (Vite, webpack 5, Parcel) recognise, so an app's build copies the
// engine next to its bundle and these URLs name the copies.
const PACKAGED = {
  'relaxed-simd-threads': () => ({
    'bodypix-relaxed-simd-threads.mjs': new URL('../dist/bodypix-relaxed-simd-threads.mjs', import.meta.url),
    'bodypix-relaxed-simd-threads.wasm': new URL('../dist/bodypix-relaxed-simd-threads.wasm', import.meta.url),
  }),
  'simd-threads': () => ({
    'bodypix-simd-threads.mjs': new URL('../dist/bodypix-simd-threads.mjs', import.meta.url),
    'bodypix-simd-threads.wasm': new URL('../dist/bodypix-simd-threads.wasm', import.meta.url),
  }),
  'relaxed-simd': () => ({
    'bodypix-relaxed-simd.mjs': new URL('../dist/bodypix-relaxed-simd.mjs', import.meta.url),
    'bodypix-relaxed-simd.wasm': new URL('../dist/bodypix-relaxed-simd.wasm', import.meta.url),
  }),
  simd: () => ({
    'bodypix-simd.mjs': new URL('../dist/bodypix-simd.mjs', import.meta.url),
    'bodypix-simd.wasm': new URL('../dist/bodypix-simd.wasm', import.meta.url),
  }),
  baseline: () => ({
    'bodypix-baseline.mjs': new URL('../dist/bodypix-baseline.mjs', import.meta.url),
    'bodypix-baseline.wasm': new URL('../dist/bodypix-baseline.wasm', import.meta.url),
  }),
};

// {file name: URL} of a flavour's files, from the package or from wasmPath.
function engineFiles(flavour, wasmPath) {
  const files = PACKAGED[flavour]();
  if (wasmPath == null) return files;
  return Object.fromEntries(Object.keys(files).map((name) => [name, new URL(name, wasmPath)]));
}

// The .wasm compiled while its glue downloads: the glue would fetch it only
// once it has run. Compiled from the stream as it arrives where the server
// sends application/wasm, else from the whole file.
async function compileEngine(url) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`cannot fetch the engine ${url}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`cannot fetch the engine ${url}: HTTP ${response.status} ${response.statusText}`);
  if (response.headers.get('Content-Type')?.split(';')[0].trim() === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

// The pool's Workers, started before anything else. A browser hands a new
// Worker the messages posted to it only once the page's thread has seen it
// start, and the glue's own Workers started just as that thread began
// decoding the model, so the pool came up only after the decode; node's
// Workers take a while to boot too. The glue takes these
// (Module.pthreadWorkers, cmake/PthreadWorkerUrl.cmake); it makes one per
// extra core, up to BODYPIX_MAX_THREADS (CMakeLists.txt).
const MAX_THREADS = 4;
const startFailures = new WeakMap();

async function startPoolWorkers(glue) {
  const cores = isNode ? (await import('node:os')).cpus().length : navigator.hardwareConcurrency || 1;
  const WorkerClass = isNode ? (await import('node:worker_threads')).Worker : globalThis.Worker;
  const count = Math.max(1, Math.min(MAX_THREADS, cores) - 1);
  const workers = [];
  try {
    for (let i = 0; i < count; i++) {
      workers.push(new WorkerClass(glue, { type: 'module', name: 'em-pthread', workerData: 'em-pthread' }));
    }
  } catch {
    // None here then: the glue starts its own and reports what stops them.
  }
  for (const worker of workers) {
    // Kept for workersLoaded(): the script may be refused before it listens.
    const failed = new Promise((_, reject) => {
      if (worker.once) worker.once('error', reject);
      else worker.addEventListener('error', reject, { once: true });
    });
    failed.catch(() => {});
    startFailures.set(worker, failed);
  }
  return workers;
}

async function instantiate(flavour, wasmPath) {
  const files = engineFiles(flavour, wasmPath);
  const glue = files[`bodypix-${flavour}.mjs`];
  const pthreadWorkers = flavour.endsWith('-threads') ? await startPoolWorkers(glue) : [];
  try {
    return await createEngine(files, glue, files[`bodypix-${flavour}.wasm`], flavour, pthreadWorkers);
  } finally {
    // Any the glue did not take (it counts cores the same way) stay idle.
    for (const worker of pthreadWorkers) worker.terminate();
  }
}

async function createEngine(files, glue, wasm, flavour, pthreadWorkers) {
  const options = { locateFile: (file) => (files[file] ?? new URL(file, glue)).href, pthreadWorkers };
  let compiling = null;
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    try {
      options.wasmBinary = await readFile(fileURLToPath(wasm));
    } catch {
      throw new Error(`the ${flavour} engine is not built (${fileURLToPath(wasm)} is missing): run npm run build`);
    }
  } else {
    compiling = compileEngine(wasm.href);
    // Awaited below; until then its failure must not count as unhandled.
    compiling.catch(() => {});
  }
  let createModule;
  try {
    // Imported, not evaluated from text, so a strict Content-Security-Policy
    // (no 'unsafe-eval') allows it; bundlers must leave the URL alone.
    ({ default: createModule } = await import(/* @vite-ignore */ /* webpackIgnore: true */ glue.href));
  } catch (e) {
    throw new Error(`cannot load the engine ${glue.href}: ${e.message}`);
  }
  if (!compiling) return createModule(options);
  // The glue reports nothing that fails inside instantiateWasm: that failure
  // ends the wait itself.
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  options.instantiateWasm = (imports, receiveInstance) => {
    compiling.then(async (module) => receiveInstance(await WebAssembly.instantiate(module, imports), module)).catch(fail);
    return {};
  };
  return Promise.race([createModule(options), failed]);
}

// Resolves once every pooled Worker has loaded the module: the module starts
// without waiting for them (PTHREAD_POOL_DELAY_LOAD), and a thread started
// before its Worker has loaded could only start once this thread returned to
// its event loop, which the engine, blocking on the thread, never does.
function workersLoaded(module) {
  if (!module.pthreadPoolReady) return Promise.resolve();
  // A Worker that cannot start (its script refused or missing) never says
  // it has loaded: its error must end the wait.
  const failed = new Promise((_, reject) => {
    for (const worker of module.PThread.unusedWorkers) {
      const onError = (e) => reject(new Error(`the engine's thread pool Worker failed to start: ${e?.message ?? e}`));
      if (startFailures.has(worker)) startFailures.get(worker).catch(onError);
      else if (worker.once) worker.once('error', onError);
      else worker.addEventListener('error', onError, { once: true });
    }
  });
  const ready = Promise.race([module.pthreadPoolReady, failed]);
  // load() awaits it; a failure nobody waits for must not end the process.
  ready.catch(() => {});
  return ready;
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

// The engine's warm-up (src/warmup), for as long as waiting() says the caller
// has nothing else to do (its model is still downloading): on a thread of its
// own where the flavour has threads, once the pool's Worker is up, else here,
// a stage per task. A thread started later would only delay the model.
export async function warmUpWhile(engine, waiting) {
  await engine.threadsReady;
  if (waiting()) engine.module.startWarmUp();
  while (waiting() && engine.module.warmUpStep()) await new Promise((resolve) => setTimeout(resolve, 0));
}
